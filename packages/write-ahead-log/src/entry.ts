import { CorruptionError, InvalidArgumentError } from "@pods/core-interfaces";
import type { LogRecord } from "@pods/segmented-log";

/**
 * Well-known entry type tags. Any integer from 0 to 255 is allowed; these are the ones the Pods
 * patterns use.
 */
export const entryTypes = {
  /** A state-machine command (the default). */
  data: 0,
  /** An entry with no command, e.g. what a new leader appends to commit earlier entries. */
  noop: 1,
  /** A cluster membership change. */
  configuration: 2,
} as const;

/** What to append: the payload, and optionally the type tag, generation and expected index. */
export interface EntryInput {
  /**
   * The command's bytes, or its parts (a header and a body, say), written back to back without
   * being joined first; a read returns the payload as one array either way.
   */
  readonly payload: Uint8Array | readonly Uint8Array[];
  /** The type tag, an integer from 0 to 255. Default {@link entryTypes}.data (0). */
  readonly type?: number;
  /**
   * The generation (term) the entry belongs to: a safe integer, never below the log's
   * `lastGeneration`. Default the log's `lastGeneration` (0 in a log that does not use them).
   */
  readonly generation?: number;
  /**
   * The index the entry must get. When given and not the index it would get, the append fails with
   * `InvalidArgumentError` and nothing is appended. Required by {@link WriteAheadLog.appendAt}.
   */
  readonly index?: number;
}

/** An entry of the log. */
export interface Entry {
  /** Its position: 1-based, consecutive. */
  readonly index: number;
  /** The generation (term) it was written in; 0 when unused. */
  readonly generation: number;
  /** Its type tag (see {@link entryTypes}). */
  readonly type: number;
  /** The wall-clock time it was appended, in milliseconds since the epoch (`env.clock.wallMs()`). */
  readonly timestampMs: number;
  /**
   * The command's bytes: a view into a buffer the log read (never shared with the log's state);
   * copy it to keep a small payload for long without keeping that buffer alive.
   */
  readonly payload: Uint8Array;
}

/** One-byte arrays holding each type tag, shared by every append (the body's first part). */
const typeTags = Array.from({ length: 256 }, (_, type) => Uint8Array.of(type));

/** The record body parts of an entry: its type tag, then its payload. @internal */
export function entryBody(type: number, payload: EntryInput["payload"]): readonly Uint8Array[] {
  return payload instanceof Uint8Array ? [typeTags[type]!, payload] : [typeTags[type]!, ...payload];
}

/**
 * The byte length of a payload (given whole or in parts), or -1 when it is neither a Uint8Array
 * nor an array of them. @internal
 */
export function payloadBytes(payload: unknown): number {
  if (payload instanceof Uint8Array) return payload.length;
  if (!Array.isArray(payload)) return -1;
  let bytes = 0;
  for (const part of payload) {
    if (!(part instanceof Uint8Array)) return -1;
    bytes += part.length;
  }
  return bytes;
}

/** The entry a record holds. @internal */
export function entryOf(record: LogRecord): Entry {
  const body = record.body;
  if (body.length === 0) {
    throw new CorruptionError(
      `record ${record.index} has an empty body: an entry starts with its type tag`,
    );
  }
  return {
    index: record.index,
    generation: record.generation,
    type: body[0]!,
    timestampMs: record.timestampMs,
    payload: body.subarray(1),
  };
}

/** Checks a type tag. @internal */
export function checkType(type: number, what: () => string): void {
  if (!Number.isInteger(type) || type < 0 || type > 255) {
    throw new InvalidArgumentError(
      `${what()}: type must be an integer from 0 to 255, got ${String(type)}.`,
    );
  }
}
