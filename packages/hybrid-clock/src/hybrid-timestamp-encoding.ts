import {
  DecodeError,
  InvalidArgumentError,
  nodeIdLengthMax,
  type Codec,
  type NodeId,
} from "@pods/core-interfaces";
import {
  assertHybridTimestamp,
  hybridLogicalMax,
  hybridTimestamp,
  hybridWallMsMax,
  type HybridTimestamp,
} from "./hybrid-timestamp.ts";

// Every encoding here sorts exactly like compareHybridTimestamps: a fixed-width big-endian (or
// zero-padded decimal) prefix for (wallMs, logical), then the node id. Node ids are ASCII (see
// assertNodeId), so their bytes and UTF-16 code units order alike, and a shorter id that is a
// prefix of a longer one sorts first in both — as compareNodeIds says.

/** The packed timestamp's size in bytes: 48 bits of milliseconds, 16 of logical counter. */
export const hybridTimestampPackedBytes = 8;

const wallDigits = String(hybridWallMsMax).length; // 15
const logicalDigits = String(hybridLogicalMax).length; // 5
const textPattern = new RegExp(`^(\\d{${wallDigits}})\\.(\\d{${logicalDigits}})(?:@(.*))?$`, "s");

/**
 * The 64-bit packed form: `wallMs << 16 | logical`. Packed values of timestamps order as the
 * timestamps do when node ids are ignored; the node id is not part of it.
 */
export function packHybridTimestamp(timestamp: HybridTimestamp): bigint {
  assertHybridTimestamp(timestamp);
  return (BigInt(timestamp.wallMs) << 16n) | BigInt(timestamp.logical);
}

/**
 * The timestamp of a packed value.
 *
 * @param packed - an integer from 0 to `2^64 − 1`.
 * @param nodeId - the node id to attach. Default `""`.
 * @throws `InvalidArgumentError` when `packed` is out of range.
 */
export function unpackHybridTimestamp(packed: bigint, nodeId: NodeId = ""): HybridTimestamp {
  if (typeof packed !== "bigint" || packed < 0n || packed > 0xffff_ffff_ffff_ffffn) {
    throw new InvalidArgumentError(
      `A packed hybrid timestamp must be a bigint from 0 to 2^64 - 1, got ${String(packed)}.`,
    );
  }
  return hybridTimestamp(Number(packed >> 16n), Number(packed & 0xffffn), nodeId);
}

/**
 * The byte form: the packed value as 8 big-endian bytes, then the node id's ASCII bytes (none for
 * `""`). Byte-wise comparison (memcmp, shorter first) of encodings orders them exactly like
 * {@link compareHybridTimestamps}, so they work as keys of ordered stores.
 */
export function encodeHybridTimestamp(timestamp: HybridTimestamp): Uint8Array {
  assertHybridTimestamp(timestamp);
  const { wallMs, logical, nodeId } = timestamp;
  const bytes = new Uint8Array(hybridTimestampPackedBytes + nodeId.length);
  const view = new DataView(bytes.buffer);
  view.setUint16(0, Math.floor(wallMs / 2 ** 32));
  view.setUint32(2, wallMs % 2 ** 32);
  view.setUint16(6, logical);
  for (let i = 0; i < nodeId.length; i++)
    bytes[hybridTimestampPackedBytes + i] = nodeId.charCodeAt(i);
  return bytes;
}

/**
 * Decodes the byte form of {@link encodeHybridTimestamp}.
 *
 * @throws `DecodeError` when the bytes are too short or too long, or the node id is not valid.
 */
export function decodeHybridTimestamp(bytes: Uint8Array): HybridTimestamp {
  if (!(bytes instanceof Uint8Array)) {
    throw new DecodeError("a hybrid timestamp must be decoded from a Uint8Array");
  }
  if (
    bytes.length < hybridTimestampPackedBytes ||
    bytes.length > hybridTimestampPackedBytes + nodeIdLengthMax
  ) {
    throw new DecodeError(
      `a hybrid timestamp is ${hybridTimestampPackedBytes} bytes plus a node id of at most ` +
        `${nodeIdLengthMax}, got ${bytes.length} bytes`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const wallMs = view.getUint16(0) * 2 ** 32 + view.getUint32(2);
  const logical = view.getUint16(6);
  const nodeId = String.fromCharCode(...bytes.subarray(hybridTimestampPackedBytes));
  try {
    return hybridTimestamp(wallMs, logical, nodeId);
  } catch (error) {
    throw new DecodeError(`the node id is not valid: ${(error as Error).message}`, {
      offset: hybridTimestampPackedBytes,
    });
  }
}

/** {@link encodeHybridTimestamp} and {@link decodeHybridTimestamp} as a `Codec`. */
export const hybridTimestampCodec: Codec<HybridTimestamp> = {
  encode: encodeHybridTimestamp,
  decode: decodeHybridTimestamp,
};

/**
 * The text form: 15 zero-padded digits of `wallMs`, `.`, 5 zero-padded digits of `logical`, and
 * `@nodeId` unless the node id is `""`, e.g. `"001767225600000.00003@athens"`. The part before
 * `@` has a fixed width, so plain string comparison (`<`, `Array.prototype.sort`, byte order in a
 * database) orders texts exactly like {@link compareHybridTimestamps}.
 */
export function formatHybridTimestamp(timestamp: HybridTimestamp): string {
  assertHybridTimestamp(timestamp);
  const { wallMs, logical, nodeId } = timestamp;
  const text = `${String(wallMs).padStart(wallDigits, "0")}.${String(logical).padStart(logicalDigits, "0")}`;
  return nodeId === "" ? text : `${text}@${nodeId}`;
}

/**
 * Parses the text form of {@link formatHybridTimestamp}.
 *
 * @throws `InvalidArgumentError` naming the text and the expected form.
 */
export function parseHybridTimestamp(text: string): HybridTimestamp {
  const match = typeof text === "string" ? textPattern.exec(text) : null;
  if (match === null) {
    throw new InvalidArgumentError(
      `${JSON.stringify(text)} is not a hybrid timestamp: expected ${wallDigits} digits, ".", ` +
        `${logicalDigits} digits and an optional "@nodeId", e.g. "001767225600000.00003@athens".`,
    );
  }
  const [, wall = "", logical = "", nodeId] = match;
  if (nodeId === "") {
    throw new InvalidArgumentError(
      `${JSON.stringify(text)} has an empty node id after "@"; leave out the "@" for no node.`,
    );
  }
  return hybridTimestamp(Number(wall), Number(logical), nodeId ?? "");
}

/**
 * A human-readable rendering for logs and errors: the physical part in ISO 8601, then the logical
 * part and the node, e.g. `"2026-01-01T00:00:00.000Z+3@athens"`. Not parsed back; use
 * {@link formatHybridTimestamp} for storage.
 */
export function hybridTimestampToIso(timestamp: HybridTimestamp): string {
  assertHybridTimestamp(timestamp);
  const { wallMs, logical, nodeId } = timestamp;
  return `${new Date(wallMs).toISOString()}+${logical}${nodeId === "" ? "" : `@${nodeId}`}`;
}
