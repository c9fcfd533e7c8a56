import {
  DecodeError,
  InvalidArgumentError,
  nodeIdLengthMax,
  type Codec,
} from "@pods/core-interfaces";
import {
  assertLamportTimestamp,
  lamportCounterMax,
  lamportTimestamp,
  type LamportTimestamp,
} from "./lamport-timestamp.ts";

// Both encodings sort exactly like compareLamportTimestamps: a fixed-width prefix for the counter
// (8 big-endian bytes, or 16 zero-padded digits), then the node id. Node ids are ASCII (see
// assertNodeId), so bytes and UTF-16 code units order alike, and an id that is a prefix of
// another sorts first in both, as compareNodeIds says.

/** The counter's size in the byte form. */
export const lamportCounterBytes = 8;

const counterDigits = String(lamportCounterMax).length; // 16
const textPattern = new RegExp(`^(\\d{${counterDigits}})(?:@(.*))?$`, "s");

/**
 * The byte form: the counter as 8 big-endian bytes, then the node id's ASCII bytes (none for
 * `""`). Byte-wise comparison (memcmp, shorter first) orders encodings exactly like
 * {@link compareLamportTimestamps}, so they work as keys of ordered stores.
 */
export function encodeLamportTimestamp(timestamp: LamportTimestamp): Uint8Array {
  assertLamportTimestamp(timestamp);
  const { counter, nodeId } = timestamp;
  const bytes = new Uint8Array(lamportCounterBytes + nodeId.length);
  new DataView(bytes.buffer).setBigUint64(0, BigInt(counter));
  for (let i = 0; i < nodeId.length; i++) bytes[lamportCounterBytes + i] = nodeId.charCodeAt(i);
  return bytes;
}

/**
 * Decodes the byte form of {@link encodeLamportTimestamp}.
 *
 * @throws `DecodeError` when the bytes are too short or too long, the counter is not a safe
 *   integer, or the node id is not valid.
 */
export function decodeLamportTimestamp(bytes: Uint8Array): LamportTimestamp {
  if (!(bytes instanceof Uint8Array)) {
    throw new DecodeError("a Lamport timestamp must be decoded from a Uint8Array");
  }
  if (bytes.length < lamportCounterBytes || bytes.length > lamportCounterBytes + nodeIdLengthMax) {
    throw new DecodeError(
      `a Lamport timestamp is ${lamportCounterBytes} bytes plus a node id of at most ` +
        `${nodeIdLengthMax}, got ${bytes.length} bytes`,
    );
  }
  const counter = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getBigUint64(0);
  if (counter > BigInt(lamportCounterMax)) {
    throw new DecodeError(`the counter ${counter} is above 2^53 - 1`, { offset: 0 });
  }
  const nodeId = String.fromCharCode(...bytes.subarray(lamportCounterBytes));
  try {
    return lamportTimestamp(Number(counter), nodeId);
  } catch (error) {
    throw new DecodeError(`the node id is not valid: ${(error as Error).message}`, {
      offset: lamportCounterBytes,
    });
  }
}

/** {@link encodeLamportTimestamp} and {@link decodeLamportTimestamp} as a `Codec`. */
export const lamportTimestampCodec: Codec<LamportTimestamp> = {
  encode: encodeLamportTimestamp,
  decode: decodeLamportTimestamp,
};

/**
 * The text form: 16 zero-padded digits of the counter and `@nodeId` unless the node id is `""`,
 * e.g. `"0000000000000042@athens"`. The counter has a fixed width, so plain string comparison
 * orders texts exactly like {@link compareLamportTimestamps}.
 */
export function formatLamportTimestamp(timestamp: LamportTimestamp): string {
  assertLamportTimestamp(timestamp);
  const counter = String(timestamp.counter).padStart(counterDigits, "0");
  return timestamp.nodeId === "" ? counter : `${counter}@${timestamp.nodeId}`;
}

/**
 * Parses the text form of {@link formatLamportTimestamp}.
 *
 * @throws `InvalidArgumentError` naming the text and the expected form.
 */
export function parseLamportTimestamp(text: string): LamportTimestamp {
  const match = typeof text === "string" ? textPattern.exec(text) : null;
  if (match === null) {
    throw new InvalidArgumentError(
      `${JSON.stringify(text)} is not a Lamport timestamp: expected ${counterDigits} digits and ` +
        'an optional "@nodeId", e.g. "0000000000000042@athens".',
    );
  }
  const [, counter = "", nodeId] = match;
  if (nodeId === "") {
    throw new InvalidArgumentError(
      `${JSON.stringify(text)} has an empty node id after "@"; leave out the "@" for no node.`,
    );
  }
  return lamportTimestamp(Number(counter), nodeId ?? "");
}
