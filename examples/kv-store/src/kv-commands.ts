// The commands of the replicated key-value store and their results, as bytes in the log.
import { ByteReader, ByteWriter, createMsgpackCodec } from "@pods/codec";
import { DecodeError, InvalidArgumentError, type Codec } from "@pods/core-interfaces";

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
  // UTF-8 takes at least one byte per UTF-16 unit and at most three.
  if (key.length * 3 <= keyBytesMax) return;
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

// The log carries commands in a compact binary form (ByteWriter of @pods/codec), cheaper to
// encode and decode on every replica than a self-describing format:
//   command = op (1: put, 2: delete) · key (varint length, UTF-8) · value (the rest; put only)
//   result  = kind (1: written, 2: written over a value) · version (varint)
//           | kind 3 (rejected) · reason (UTF-8, the rest)
// Logs written before this form hold MessagePack maps, which start with a byte from 0x80 to 0x8f
// (no op or kind here does): those are still read, so an upgrade loses no data.
const ops = { put: 1, delete: 2 } as const;
const resultKinds = { written: 1, overwritten: 2, rejected: 3 } as const;
const strictUtf8 = new TextDecoder("utf-8", { fatal: true });
const legacyCodec = createMsgpackCodec<unknown>();

function isLegacy(bytes: Uint8Array): boolean {
  const first = bytes[0];
  return first !== undefined && first >= 0x80 && first <= 0x8f;
}

function encodeCommand(command: KvCommand): Uint8Array {
  if (command?.op !== "put" && command?.op !== "delete") {
    throw new InvalidArgumentError(
      `Unknown command op ${String((command as { op?: unknown } | undefined)?.op)}: expected put or delete.`,
    );
  }
  checkKey(command.key);
  if (command.op === "delete") return new ByteWriter().u8(ops.delete).utf8(command.key).finish();
  checkValue(command.value);
  return new ByteWriter(8 + 3 * command.key.length + command.value.length)
    .u8(ops.put)
    .utf8(command.key)
    .raw(command.value)
    .finish();
}

function decodeCommand(bytes: Uint8Array): KvCommand {
  if (!(bytes instanceof Uint8Array)) throw new DecodeError("a command must be bytes.");
  if (isLegacy(bytes)) return legacyCommand(legacyCodec.decode(bytes));
  const reader = new ByteReader(bytes, { what: "kv command" });
  const op = reader.u8("op");
  const keyStart = reader.offset;
  const key = reader.utf8("key", keyBytesMax);
  if (key.length === 0) throw reader.error("the key is not valid: it is empty", keyStart);
  if (op === ops.put) {
    if (reader.remaining > valueBytesMax) {
      throw reader.error(`the value has ${reader.remaining} bytes, more than ${valueBytesMax}`);
    }
    return { op: "put", key, value: ownedValue(reader.rest(), bytes) };
  }
  if (op !== ops.delete) throw reader.error(`unknown op ${op}: expected 1 (put) or 2 (delete)`, 0);
  reader.end();
  return { op: "delete", key };
}

/**
 * The value as the store keeps it: a view of the command when the command's buffer holds little
 * else (the store then keeps a few bytes of key beside it), otherwise a copy, so a kept value
 * never pins a larger buffer (a socket read or a log page holding many commands).
 */
function ownedValue(value: Uint8Array, command: Uint8Array): Uint8Array {
  if (command.length <= 64) return value.slice();
  return command.buffer.byteLength <= command.length + keyBytesMax ? value : value.slice();
}

function encodeResult(result: KvResult): Uint8Array {
  if ("rejected" in result) {
    return new ByteWriter(16)
      .u8(resultKinds.rejected)
      .raw(textEncoder.encode(result.rejected))
      .finish();
  }
  if (!Number.isSafeInteger(result.version) || result.version < 0) {
    throw new InvalidArgumentError(`A version must be a safe integer >= 0, got ${result.version}.`);
  }
  const kind = result.existed ? resultKinds.overwritten : resultKinds.written;
  return new ByteWriter(9).u8(kind).uint(result.version).finish();
}

function decodeResult(bytes: Uint8Array): KvResult {
  if (!(bytes instanceof Uint8Array)) throw new DecodeError("a result must be bytes.");
  if (isLegacy(bytes)) return legacyResult(legacyCodec.decode(bytes));
  const reader = new ByteReader(bytes, { what: "kv result" });
  const kind = reader.u8("kind");
  if (kind === resultKinds.rejected) return { rejected: textOf(reader, reader.rest(), 1) };
  if (kind !== resultKinds.written && kind !== resultKinds.overwritten) {
    throw reader.error(`unknown kind ${kind}: expected 1 or 2 (written) or 3 (rejected)`, 0);
  }
  const version = reader.uint("version");
  reader.end();
  return { version, existed: kind === resultKinds.overwritten };
}

/** UTF-8 bytes as text; invalid UTF-8 is a `DecodeError` at `offset`. */
function textOf(reader: ByteReader, bytes: Uint8Array, offset: number): string {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    throw reader.error("text that is not valid UTF-8", offset);
  }
}

/** A command logged as a MessagePack map `{ op, key, value }` (before the binary form). */
function legacyCommand(value: unknown): KvCommand {
  const command = value as Partial<{ op: unknown; key: unknown; value: unknown }> | null;
  try {
    checkKey(command?.key);
    if (command?.op === "delete") return { op: "delete", key: command.key };
    if (command?.op !== "put") throw new InvalidArgumentError("its op is neither put nor delete.");
    checkValue(command.value);
    return { op: "put", key: command.key, value: command.value };
  } catch (error) {
    throw new DecodeError(`a MessagePack command is not valid: ${(error as Error).message}`);
  }
}

/** A result logged as a MessagePack map (before the binary form). */
function legacyResult(value: unknown): KvResult {
  const result = value as Partial<{ version: unknown; existed: unknown; rejected: unknown }> | null;
  if (typeof result?.rejected === "string") return { rejected: result.rejected };
  if (typeof result?.existed === "boolean" && Number.isSafeInteger(result.version)) {
    return { version: result.version as number, existed: result.existed };
  }
  throw new DecodeError("a MessagePack result is neither written nor rejected.");
}

/** Encodes and decodes commands; decoding validates (a `DecodeError` for anything else). */
export const kvCommandCodec: Codec<KvCommand> = { encode: encodeCommand, decode: decodeCommand };

/** Encodes and decodes results. */
export const kvResultCodec: Codec<KvResult> = { encode: encodeResult, decode: decodeResult };
