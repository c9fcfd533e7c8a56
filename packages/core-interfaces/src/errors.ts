import type { NodeId } from "./node-id.ts";

/**
 * Whether a failed operation may still take effect.
 *
 * - `definite`: the operation did not take effect and never will; retrying is safe.
 * - `indefinite`: the outcome is unknown (a timeout, a connection lost after sending, leadership lost
 *   after appending); the operation may have been applied or may still be, so retry only
 *   idempotently.
 */
export type FailureOutcome = "definite" | "indefinite";

/** Options every {@link PodsError} accepts. */
export interface PodsErrorOptions {
  /** The underlying error, kept as `error.cause`. */
  readonly cause?: unknown;
  /** Overrides the class's default {@link FailureOutcome}. */
  readonly outcome?: FailureOutcome;
}

/**
 * Base class of every error Pods throws on purpose. Catch a subclass with `instanceof`, or compare
 * {@link PodsError.code} when two copies of this package may be loaded.
 */
export abstract class PodsError extends Error {
  /** A stable, machine-readable name of the failure, e.g. `"TIMEOUT"`. */
  abstract readonly code: string;
  /** Whether the operation that failed may still take effect. */
  readonly outcome: FailureOutcome;

  /**
   * @param message - what happened and what to do about it.
   * @param defaultOutcome - the outcome when `options.outcome` is not given.
   * @param options - cause and outcome override.
   */
  protected constructor(
    message: string,
    defaultOutcome: FailureOutcome,
    options: PodsErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.outcome = options.outcome ?? defaultOutcome;
  }
}

/** A caller passed a value outside what the API accepts: a bad config, an out-of-range index. */
export class InvalidArgumentError extends PodsError {
  /** {@inheritDoc PodsError.code} */
  readonly code = "INVALID_ARGUMENT";
  /** @param message - which argument, what it was, and what is accepted. */
  constructor(message: string, options?: PodsErrorOptions) {
    super(message, "definite", options);
  }
}

/** The node asked is not the leader; the request was not applied. */
export class NotLeaderError extends PodsError {
  /** {@inheritDoc PodsError.code} */
  readonly code = "NOT_LEADER";
  /** The node this node believes leads, if it knows one. */
  readonly leaderHint: NodeId | undefined;
  /**
   * @param leaderHint - the node believed to lead, or `undefined` when no leader is known.
   * @param options - use `outcome: "indefinite"` when leadership was lost after the request was
   *   appended to the log (it may still commit).
   */
  constructor(leaderHint: NodeId | undefined, options?: PodsErrorOptions) {
    super(
      leaderHint === undefined
        ? "This node is not the leader and knows no leader yet; retry after an election settles."
        : `This node is not the leader; retry against node "${leaderHint}".`,
      "definite",
      options,
    );
    this.leaderHint = leaderHint;
  }
}

/** An operation did not finish within its deadline. Its outcome is unknown unless stated. */
export class TimeoutError extends PodsError {
  /** {@inheritDoc PodsError.code} */
  readonly code = "TIMEOUT";
  /** The deadline that passed, in milliseconds. */
  readonly timeoutMs: number;
  /**
   * @param operation - what timed out, e.g. `"request 17 to byzantium"`.
   * @param timeoutMs - the deadline that passed.
   */
  constructor(operation: string, timeoutMs: number, options?: PodsErrorOptions) {
    super(
      `${operation} timed out after ${timeoutMs} ms; it may still take effect, so retry only idempotently.`,
      "indefinite",
      options,
    );
    this.timeoutMs = timeoutMs;
  }
}

/** Where corrupt data was found. Every field is optional; give all that are known. */
export interface CorruptionLocation {
  /** The file, as a path of the `Disk` it is on. */
  readonly file?: string;
  /** Byte offset in the file or stream where the bad data starts. */
  readonly offset?: number;
  /** The log index of the damaged record, when known. */
  readonly index?: number;
}

/**
 * Stored or received bytes failed verification: a checksum mismatch, an impossible length, a gap in
 * indexes. Nothing was changed; the data needs repair or a resend.
 */
export class CorruptionError extends PodsError {
  /** {@inheritDoc PodsError.code} */
  readonly code: string = "CORRUPTION";
  /** The damaged file, if the data came from one. */
  readonly file: string | undefined;
  /** Byte offset of the damage, if known. */
  readonly offset: number | undefined;
  /** Log index of the damaged record, if known. */
  readonly index: number | undefined;
  /**
   * @param problem - what failed verification, e.g. `"checksum mismatch"`.
   * @param location - where it was found.
   */
  constructor(problem: string, location: CorruptionLocation = {}, options?: PodsErrorOptions) {
    super(`${problem}${describeLocation(location)}`, "definite", options);
    this.file = location.file;
    this.offset = location.offset;
    this.index = location.index;
  }
}

function describeLocation({ file, offset, index }: CorruptionLocation): string {
  const parts = [
    file === undefined ? undefined : `file ${file}`,
    offset === undefined ? undefined : `offset ${offset}`,
    index === undefined ? undefined : `index ${index}`,
  ].filter((part) => part !== undefined);
  return parts.length === 0 ? "" : ` (at ${parts.join(", ")})`;
}

/**
 * Bytes could not be decoded into a value: not the encoding the codec expects, or a value that
 * fails the codec's validation. A subclass of {@link CorruptionError}, so one `catch` covers all bad
 * input.
 */
export class DecodeError extends CorruptionError {
  /** {@inheritDoc PodsError.code} */
  override readonly code = "DECODE";
  /** @param problem - why the bytes do not decode. */
  constructor(problem: string, location?: CorruptionLocation, options?: PodsErrorOptions) {
    super(`cannot decode: ${problem}`, location, options);
  }
}

/** Wall-clock readings of two nodes that are further apart than the configured tolerance. */
export interface ClockOffsetReading {
  /** The remote node's wall time, in milliseconds since the Unix epoch. */
  readonly remoteWallMs: number;
  /** This node's wall time when the remote reading arrived. */
  readonly localWallMs: number;
  /** The largest offset tolerated, in milliseconds. */
  readonly maxOffsetMs: number;
}

/** A remote timestamp is further ahead of the local wall clock than the tolerated maximum. */
export class ClockOffsetError extends PodsError {
  /** {@inheritDoc PodsError.code} */
  readonly code = "CLOCK_OFFSET";
  /** The remote node's wall time. */
  readonly remoteWallMs: number;
  /** The local wall time. */
  readonly localWallMs: number;
  /** How far the remote clock is ahead, in milliseconds. */
  readonly offsetMs: number;
  /** The tolerated maximum, in milliseconds. */
  readonly maxOffsetMs: number;
  /** @param reading - the two readings and the tolerance. */
  constructor(reading: ClockOffsetReading, options?: PodsErrorOptions) {
    const offsetMs = reading.remoteWallMs - reading.localWallMs;
    super(
      `A remote timestamp is ${offsetMs} ms ahead of the local wall clock, more than the tolerated ` +
        `${reading.maxOffsetMs} ms; check that time synchronisation (NTP, chrony) runs on both nodes, ` +
        "or raise maxOffsetMs if this skew is expected.",
      "definite",
      options,
    );
    this.remoteWallMs = reading.remoteWallMs;
    this.localWallMs = reading.localWallMs;
    this.offsetMs = offsetMs;
    this.maxOffsetMs = reading.maxOffsetMs;
  }
}

/** A log position below the low-water mark was asked for; those entries now live in a snapshot. */
export class CompactedError extends PodsError {
  /** {@inheritDoc PodsError.code} */
  readonly code = "COMPACTED";
  /** The lowest index still readable. */
  readonly lowWaterMark: number;
  /** The index that was asked for, if one was. */
  readonly index: number | undefined;
  /**
   * @param lowWaterMark - the lowest index still readable.
   * @param index - the index asked for.
   */
  constructor(lowWaterMark: number, index?: number, options?: PodsErrorOptions) {
    super(
      `${index === undefined ? "The entries asked for are" : `Index ${index} is`} below the ` +
        `low-water mark ${lowWaterMark}: compacted into a snapshot. Install the snapshot, then read ` +
        `from ${lowWaterMark}.`,
      "definite",
      options,
    );
    this.lowWaterMark = lowWaterMark;
    this.index = index;
  }
}

/** An operation was called on something already closed (or closing). */
export class ClosedError extends PodsError {
  /** {@inheritDoc PodsError.code} */
  readonly code = "CLOSED";
  /** @param resource - what is closed, e.g. `"write-ahead log wal/"`. */
  constructor(resource: string, options?: PodsErrorOptions) {
    super(`${resource} is closed; open a new one to continue.`, "definite", options);
  }
}

/**
 * A message could not be sent because the destination is known to be unreachable right now (no
 * route, a refused or failed connection). The message was not sent.
 */
export class UnreachableError extends PodsError {
  /** {@inheritDoc PodsError.code} */
  readonly code = "UNREACHABLE";
  /** The node that could not be reached. */
  readonly to: NodeId;
  /**
   * @param to - the destination.
   * @param reason - why, e.g. `"link refused"`.
   */
  constructor(to: NodeId, reason: string, options?: PodsErrorOptions) {
    super(
      `Node "${to}" is unreachable (${reason}); the message was not sent.`,
      "definite",
      options,
    );
    this.to = to;
  }
}

/** Why a disk operation failed. */
export type IOFailure = "not-found" | "exists" | "failed";

/**
 * A disk operation failed. `failure` tells a missing file (`not-found`), an exclusive create of an
 * existing one (`exists`), and a real device or system error (`failed`). After a failed `sync()`
 * the durability of unsynced writes is unknown: treat the file as damaged and recover by reopening.
 */
export class IOError extends PodsError {
  /** {@inheritDoc PodsError.code} */
  readonly code = "IO";
  /** The kind of failure. */
  readonly failure: IOFailure;
  /** The operation, e.g. `"write"`. */
  readonly operation: string;
  /** The path the operation was on. */
  readonly path: string;
  /**
   * @param operation - the disk operation that failed.
   * @param path - the path it was on.
   * @param failure - the kind of failure.
   * @param detail - the system's explanation, if any.
   */
  constructor(
    operation: string,
    path: string,
    failure: IOFailure,
    detail?: string,
    options?: PodsErrorOptions,
  ) {
    super(
      `${operation} ${path === "" ? "(the disk's root)" : path} failed: ${describeFailure(failure)}` +
        `${detail === undefined ? "" : ` (${detail})`}.`,
      "definite",
      options,
    );
    this.failure = failure;
    this.operation = operation;
    this.path = path;
  }
}

function describeFailure(failure: IOFailure): string {
  switch (failure) {
    case "not-found":
      return "no such file or directory";
    case "exists":
      return "the file exists already";
    case "failed":
      return "the device or system reported an error";
  }
}

/** A broken internal assumption: a bug in Pods or in the code that drives it, not bad input. */
export class InvariantError extends PodsError {
  /** {@inheritDoc PodsError.code} */
  readonly code = "INVARIANT";
  /** @param message - the assumption that did not hold. */
  constructor(message: string, options?: PodsErrorOptions) {
    super(`Invariant violated: ${message}. This is a bug; please report it.`, "definite", options);
  }
}

/** True for any error thrown on purpose by a Pods package (matched by `code`, so copies agree). */
export function isPodsError(error: unknown): error is PodsError {
  return (
    error instanceof Error &&
    typeof (error as Partial<PodsError>).code === "string" &&
    ((error as Partial<PodsError>).outcome === "definite" ||
      (error as Partial<PodsError>).outcome === "indefinite")
  );
}
