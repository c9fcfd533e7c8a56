import { ByteReader } from "@pods/codec";

// The package's binary forms (commands, results, snapshots) are written with `ByteWriter` of
// `@pods/codec`: unsigned integers as varints, times as float64, byte strings length-prefixed.
// Readers of them say what the bytes were meant to hold and where such bytes come from.

/** A reader of one of this package's binary forms; `what` names it in errors (`"session command"`). */
export function sessionBytesReader(bytes: Uint8Array, what: string): ByteReader {
  return new ByteReader(bytes, {
    what,
    advice:
      "It was not produced by this version of @pods/idempotent-receiver, or it was damaged; " +
      "check the sender and its version",
  });
}

/** Reads a time in ms: a float64 that must be finite and >= 0. */
export function readTimeMs(reader: ByteReader, field: string): number {
  const start = reader.offset;
  const value = reader.f64(field);
  if (!Number.isFinite(value) || value < 0) {
    throw reader.error(`${field} is ${value}, not a finite time >= 0`, start);
  }
  return value;
}
