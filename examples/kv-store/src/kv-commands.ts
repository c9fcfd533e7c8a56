// The commands of the replicated key-value store and their results, as bytes in the log.
import { createMsgpackCodec } from "@pods/codec";
import { InvalidArgumentError } from "@pods/core-interfaces";

/** Longest key, in UTF-8 bytes. */
export const keyBytesMax = 1024;
/** Largest value, in bytes. */
export const valueBytesMax = 1024 * 1024;

/** A change to the store, proposed through the replicated log. */
export type KvCommand =
  | { readonly op: "put"; readonly key: string; readonly value: Uint8Array }
  | { readonly op: "delete"; readonly key: string };

/**
 * What applying a command returned: the write's version (its log index) and whether the key held
 * a value before — or why the command was rejected (it did not decode: a bug or a newer client,
 * answered alike on every replica).
 */
export type KvResult =
  { readonly version: number; readonly existed: boolean } | { readonly rejected: string };

const textEncoder = new TextEncoder();

/** Throws `InvalidArgumentError` unless `key` is a non-empty string of at most {@link keyBytesMax} bytes. */
export function checkKey(key: unknown): asserts key is string {
  if (typeof key !== "string" || key.length === 0) {
    throw new InvalidArgumentError("A key must be a non-empty string.");
  }
  const bytes = textEncoder.encode(key).length;
  if (bytes > keyBytesMax) {
    throw new InvalidArgumentError(
      `The key has ${bytes} bytes; at most ${keyBytesMax} are allowed.`,
    );
  }
}

/** Throws `InvalidArgumentError` unless `value` is bytes of at most {@link valueBytesMax}. */
export function checkValue(value: unknown): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array)) throw new InvalidArgumentError("A value must be bytes.");
  if (value.length > valueBytesMax) {
    throw new InvalidArgumentError(
      `The value has ${value.length} bytes; at most ${valueBytesMax} are allowed.`,
    );
  }
}

function validateCommand(value: unknown): KvCommand {
  const command = value as Partial<{ op: unknown; key: unknown; value: unknown }> | null;
  if (typeof command !== "object" || command === null) {
    throw new InvalidArgumentError("A command must be a map.");
  }
  checkKey(command.key);
  if (command.op === "put") {
    checkValue(command.value);
    return { op: "put", key: command.key, value: command.value };
  }
  if (command.op === "delete") return { op: "delete", key: command.key };
  throw new InvalidArgumentError(
    `Unknown command op ${String(command.op)}: expected put or delete.`,
  );
}

function validateResult(value: unknown): KvResult {
  const result = value as Partial<{ version: unknown; existed: unknown; rejected: unknown }> | null;
  if (typeof result === "object" && result !== null) {
    if (typeof result.existed === "boolean" && Number.isSafeInteger(result.version)) {
      return { version: result.version as number, existed: result.existed };
    }
    if (typeof result.rejected === "string") return { rejected: result.rejected };
  }
  throw new InvalidArgumentError(
    "A result must be { version: integer, existed: boolean } or { rejected: string }.",
  );
}

/** Encodes and decodes commands; decoding validates (a `DecodeError` for anything else). */
export const kvCommandCodec = createMsgpackCodec<KvCommand>({ validate: validateCommand });

/** Encodes and decodes results. */
export const kvResultCodec = createMsgpackCodec<KvResult>({ validate: validateResult });
