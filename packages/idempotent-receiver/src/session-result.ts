import {
  DecodeError,
  InvalidArgumentError,
  type Codec,
  type PodsErrorOptions,
} from "@pods/core-interfaces";
import { ByteWriter } from "@pods/codec";
import { sessionBytesReader } from "./binary.ts";
import { RequestTooOldError, SessionExpiredError } from "./errors.ts";
import { sessionFormatVersion } from "./session-command.ts";

/** A session was opened; its client id is the log index of the register command. */
export interface RegisteredResult {
  /** Discriminant. */
  readonly type: "registered";
  /** The new session's client id. */
  readonly clientId: number;
}

/** A keep-alive refreshed its session. */
export interface KeptAliveResult {
  /** Discriminant. */
  readonly type: "kept-alive";
  /** The session's client id. */
  readonly clientId: number;
}

/** A request's response: from executing it now, or saved from its first execution. */
export interface AppliedResult {
  /** Discriminant. */
  readonly type: "applied";
  /** The session's client id. */
  readonly clientId: number;
  /** The request's sequence. */
  readonly sequence: number;
  /** What the wrapped state machine returned when it executed the request. */
  readonly response: Uint8Array;
  /** True when the request had been executed before and this is the saved response. */
  readonly replayed: boolean;
}

/** What the wrapped state machine returned for an unsessioned command, executed now. */
export interface UnsessionedResult {
  /** Discriminant. */
  readonly type: "unsessioned-applied";
  /** What the wrapped state machine returned. */
  readonly response: Uint8Array;
}

/** The command named a session that does not exist (expired, evicted or never registered). */
export interface SessionExpiredResult {
  /** Discriminant. */
  readonly type: "session-expired";
  /** The client id the command named. */
  readonly clientId: number;
}

/** The request's sequence is at or below the session's highest discarded one; nothing ran. */
export interface RequestTooOldResult {
  /** Discriminant. */
  readonly type: "request-too-old";
  /** The session's client id. */
  readonly clientId: number;
  /** The refused request's sequence. */
  readonly sequence: number;
  /** The session's highest discarded sequence. */
  readonly highestDiscarded: number;
}

/** The command's bytes did not decode; nothing changed but session expiry. */
export interface MalformedResult {
  /** Discriminant. */
  readonly type: "malformed";
  /** Why the command did not decode. */
  readonly problem: string;
}

/** What applying a session command returns, encoded by {@link sessionResultCodec}. */
export type SessionResult =
  | RegisteredResult
  | KeptAliveResult
  | AppliedResult
  | SessionExpiredResult
  | RequestTooOldResult
  | MalformedResult
  | UnsessionedResult;

const kinds = {
  registered: 1,
  "kept-alive": 2,
  applied: 3,
  "session-expired": 4,
  "request-too-old": 5,
  malformed: 6,
  "unsessioned-applied": 7,
} as const;

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder("utf-8", { fatal: true });

function encode(result: SessionResult): Uint8Array {
  const responseBytes =
    result.type === "applied" || result.type === "unsessioned-applied" ? result.response.length : 0;
  const writer = new ByteWriter(32 + responseBytes).u8(sessionFormatVersion).u8(kinds[result.type]);
  switch (result.type) {
    case "registered":
    case "kept-alive":
    case "session-expired":
      return writer.uint(result.clientId).finish();
    case "applied":
      return writer
        .uint(result.clientId)
        .uint(result.sequence)
        .u8(result.replayed ? 1 : 0)
        .raw(result.response)
        .finish();
    case "request-too-old":
      return writer
        .uint(result.clientId)
        .uint(result.sequence)
        .uint(result.highestDiscarded)
        .finish();
    case "malformed":
      return writer.raw(textEncoder.encode(result.problem)).finish();
    case "unsessioned-applied":
      return writer.raw(result.response).finish();
  }
}

function decode(bytes: Uint8Array): SessionResult {
  const reader = sessionBytesReader(bytes, "session result");
  const version = reader.u8("format version");
  if (version !== sessionFormatVersion) {
    throw reader.error(
      `format version ${version} is not supported (this is ${sessionFormatVersion})`,
    );
  }
  const kind = reader.u8("result kind");
  let result: SessionResult;
  switch (kind) {
    case kinds.registered:
    case kinds["kept-alive"]:
    case kinds["session-expired"]: {
      const type = kind === 1 ? "registered" : kind === 2 ? "kept-alive" : "session-expired";
      result = { type, clientId: reader.uint("clientId", { min: 1 }) };
      break;
    }
    case kinds.applied: {
      const clientId = reader.uint("clientId", { min: 1 });
      const sequence = reader.uint("sequence", { min: 1 });
      const flag = reader.u8("replayed flag");
      if (flag > 1) throw reader.error(`replayed flag is ${flag}, not 0 or 1`);
      return { type: "applied", clientId, sequence, replayed: flag === 1, response: reader.rest() };
    }
    case kinds["request-too-old"]:
      result = {
        type: "request-too-old",
        clientId: reader.uint("clientId", { min: 1 }),
        sequence: reader.uint("sequence", { min: 1 }),
        highestDiscarded: reader.uint("highestDiscarded", { min: 1 }),
      };
      break;
    case kinds.malformed: {
      const text = reader.rest();
      try {
        return { type: "malformed", problem: textDecoder.decode(text) };
      } catch (cause) {
        throw new DecodeError(
          "session result: a malformed result's problem is not UTF-8",
          {},
          {
            cause,
          },
        );
      }
    }
    case kinds["unsessioned-applied"]:
      return { type: "unsessioned-applied", response: reader.rest() };
    default:
      throw reader.error(`result kind ${kind} is unknown`);
  }
  reader.end();
  return result;
}

/**
 * The encoding of {@link SessionResult}s: a version byte, a kind byte, varint fields, and for an
 * applied request or unsessioned command the response bytes as they are. `decode` throws `DecodeError` on malformed bytes.
 */
export const sessionResultCodec: Codec<SessionResult> = {
  encode(result) {
    if (result.type === "request-too-old" && result.highestDiscarded < result.sequence) {
      throw new InvalidArgumentError(
        `A request-too-old result needs highestDiscarded (${result.highestDiscarded}) >= ` +
          `sequence (${result.sequence}).`,
      );
    }
    return encode(result);
  },
  decode,
};

/**
 * The typed error a refusal stands for: {@link SessionExpiredError}, {@link RequestTooOldError},
 * or `DecodeError` for a malformed command; `undefined` for a success.
 *
 * @param result - a decoded result.
 * @param options - e.g. the outcome, when the caller knows better than the error's default.
 */
export function sessionResultError(
  result: SessionResult,
  options?: PodsErrorOptions,
): SessionExpiredError | RequestTooOldError | DecodeError | undefined {
  switch (result.type) {
    case "registered":
    case "kept-alive":
    case "applied":
    case "unsessioned-applied":
      return undefined;
    case "session-expired":
      return new SessionExpiredError(result.clientId, options);
    case "request-too-old":
      return new RequestTooOldError(
        result.clientId,
        result.sequence,
        result.highestDiscarded,
        options,
      );
    case "malformed":
      return new DecodeError(
        `the replicas refused a session command as malformed (${result.problem})`,
        {},
        options,
      );
  }
}
