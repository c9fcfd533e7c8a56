import { InvalidArgumentError, type Codec } from "@pods/core-interfaces";
import { ByteWriter } from "@pods/codec";
import { sessionBytesReader } from "./binary.ts";

/** The version byte every command, result and snapshot of this package starts with. */
export const sessionFormatVersion = 1;

/** Opens a session; the client id becomes the log index of this command's entry. */
export interface RegisterCommand {
  /** Discriminant. */
  readonly type: "register";
}

/** Keeps an idle session alive and forgets responses the client has received. */
export interface KeepAliveCommand {
  /** Discriminant. */
  readonly type: "keep-alive";
  /** The session's client id. */
  readonly clientId: number;
  /** The lowest sequence whose response the client still awaits (≥ 1). */
  readonly firstUnacknowledged: number;
}

/** One application command inside a session: applied once per (clientId, sequence). */
export interface RequestCommand {
  /** Discriminant. */
  readonly type: "request";
  /** The session's client id. */
  readonly clientId: number;
  /** The request's number: new for each new request (from 1), the same on every retry. */
  readonly sequence: number;
  /** The lowest sequence whose response the client still awaits; at most `sequence`. */
  readonly firstUnacknowledged: number;
  /** The application's command, handed to the wrapped state machine. */
  readonly command: Uint8Array;
}

/**
 * An application command outside any session: handed to the wrapped state machine each time it
 * is committed, never deduplicated. For callers that have no identity to retry under (a
 * one-off write) and accept that a command proposed twice is applied twice.
 */
export interface UnsessionedCommand {
  /** Discriminant. */
  readonly type: "unsessioned";
  /** The application's command, handed to the wrapped state machine. */
  readonly command: Uint8Array;
}

/** A command of the session layer, as proposed to the replicated log. */
export type SessionCommand =
  RegisterCommand | KeepAliveCommand | RequestCommand | UnsessionedCommand;

const kinds = { register: 1, "keep-alive": 2, request: 3, unsessioned: 4 } as const;

function assertCommand(command: SessionCommand): void {
  if (command.type === "register") return;
  if (command.type === "unsessioned") {
    if (!(command.command instanceof Uint8Array)) {
      throw new InvalidArgumentError("An unsessioned command's command must be a Uint8Array.");
    }
    return;
  }
  const numbers: [string, number][] = [
    ["clientId", command.clientId],
    ["firstUnacknowledged", command.firstUnacknowledged],
  ];
  if (command.type === "request") numbers.push(["sequence", command.sequence]);
  for (const [field, value] of numbers) {
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new InvalidArgumentError(
        `A ${command.type} command's ${field} must be a safe integer >= 1, got ${value}.`,
      );
    }
  }
  if (command.type === "request" && command.firstUnacknowledged > command.sequence) {
    throw new InvalidArgumentError(
      `A request's firstUnacknowledged (${command.firstUnacknowledged}) must not exceed its ` +
        `sequence (${command.sequence}): the client still awaits this request's response.`,
    );
  }
}

function encode(command: SessionCommand): Uint8Array {
  assertCommand(command);
  const commandBytes =
    command.type === "request" || command.type === "unsessioned" ? command.command.length : 0;
  const writer = new ByteWriter(32 + commandBytes).u8(sessionFormatVersion).u8(kinds[command.type]);
  switch (command.type) {
    case "register":
      break;
    case "keep-alive":
      writer.uint(command.clientId).uint(command.firstUnacknowledged);
      break;
    case "request":
      writer
        .uint(command.clientId)
        .uint(command.sequence)
        .uint(command.firstUnacknowledged)
        .raw(command.command);
      break;
    case "unsessioned":
      writer.raw(command.command);
      break;
  }
  return writer.finish();
}

function decode(bytes: Uint8Array): SessionCommand {
  const reader = sessionBytesReader(bytes, "session command");
  const version = reader.u8("format version");
  if (version !== sessionFormatVersion) {
    throw reader.error(
      `format version ${version} is not supported (this is ${sessionFormatVersion})`,
    );
  }
  const kind = reader.u8("command kind");
  switch (kind) {
    case kinds.register:
      reader.end();
      return { type: "register" };
    case kinds["keep-alive"]: {
      const clientId = reader.uint("clientId", { min: 1 });
      const firstUnacknowledged = reader.uint("firstUnacknowledged", { min: 1 });
      reader.end();
      return { type: "keep-alive", clientId, firstUnacknowledged };
    }
    case kinds.request: {
      const clientId = reader.uint("clientId", { min: 1 });
      const sequence = reader.uint("sequence", { min: 1 });
      const firstUnacknowledged = reader.uint("firstUnacknowledged", { min: 1 });
      if (firstUnacknowledged > sequence) {
        throw reader.error(
          `firstUnacknowledged ${firstUnacknowledged} exceeds sequence ${sequence}`,
        );
      }
      return { type: "request", clientId, sequence, firstUnacknowledged, command: reader.rest() };
    }
    case kinds.unsessioned:
      return { type: "unsessioned", command: reader.rest() };
    default:
      throw reader.error(`command kind ${kind} is unknown`);
  }
}

/**
 * The encoding of {@link SessionCommand}s: a version byte, a kind byte, varint fields, and for a
 * request or an unsessioned command the application's command bytes as they are (no length
 * prefix). `decode`
 * validates every field and throws `DecodeError` on malformed bytes; `encode` throws
 * `InvalidArgumentError` on invalid fields.
 */
export const sessionCommandCodec: Codec<SessionCommand> = { encode, decode };
