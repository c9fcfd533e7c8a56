import { InvalidArgumentError } from "@pods/core-interfaces";
import type { CrashMode } from "./disk-image.ts";

/** Options of a node's simulated disk. Latencies are per operation, before jitter. */
export interface SimDiskOptions {
  /** Latency of a read, ms. Default 0.02. */
  readonly readLatencyMs?: number;
  /** Latency of a write or truncate, ms. Default 0.05. */
  readonly writeLatencyMs?: number;
  /** Latency of a sync, ms. Default 1 (slower than writes, so group commit pays). */
  readonly syncLatencyMs?: number;
  /** Latency of open, list, mkdir, remove, rename, exists and size, ms. Default 0.01. */
  readonly metadataLatencyMs?: number;
  /**
   * Each operation takes its latency × (1 + jitter × u), u uniform in [0, 1): concurrent
   * operations may complete out of order. Default 0.5.
   */
  readonly latencyJitter?: number;
  /** What a power loss does to unsynced changes; see {@link CrashMode}. Default `"prefix"`. */
  readonly crashMode?: CrashMode;
  /** Torn writes are cut at multiples of this many bytes. Default 512. */
  readonly sectorBytes?: number;
  /** Probability that a read fails with `IOError` (`"failed"`). Default 0. */
  readonly readErrorRate?: number;
  /** Probability that a write or truncate fails (changing nothing). Default 0. */
  readonly writeErrorRate?: number;
  /** Probability that a sync fails (making nothing durable). Default 0. */
  readonly syncErrorRate?: number;
  /** How many entries {@link SimDisk.syncLog} keeps (the latest). Default 10000. */
  readonly syncLogEntriesMax?: number;
}

/** Random failure probabilities, each in [0, 1]. */
export interface DiskErrorRates {
  /** Reads. */
  readonly read?: number;
  /** Writes and truncates. */
  readonly write?: number;
  /** Syncs. */
  readonly sync?: number;
}

/** One successful sync, for proving group commit and durability ordering. */
export interface SyncRecord {
  /** The path the syncing handle was opened with. */
  readonly path: string;
  /** Virtual time `sync()` was called, ms. */
  readonly calledAtMs: number;
  /** Virtual time the data became durable (the promise resolves then, unless paused), ms. */
  readonly completedAtMs: number;
  /** How many writes and truncations it made durable. */
  readonly changes: number;
  /** How many written bytes it made durable. */
  readonly bytes: number;
}

/** Counters of a simulated disk (a snapshot). */
export interface DiskStats {
  /** Completed reads. */
  readonly reads: number;
  /** Bytes returned by reads. */
  readonly bytesRead: number;
  /** Completed writes. */
  readonly writes: number;
  /** Bytes written. */
  readonly bytesWritten: number;
  /** Completed truncations. */
  readonly truncates: number;
  /** Successful syncs. */
  readonly syncs: number;
  /** Operations failed by injected faults. */
  readonly injectedFailures: number;
}

/** A file's bytes as the disk holds them, for inspection. */
export interface RawFile {
  /** What reads return now (including unsynced changes). */
  readonly current: Uint8Array;
  /** What is durable: the content a power loss falls back to before unsynced changes are decided. */
  readonly durable: Uint8Array;
  /** How many completed writes and truncations no sync has covered yet. */
  readonly unsyncedChanges: number;
}

export function assertRate(rate: number, what: string): void {
  if (!(rate >= 0 && rate <= 1)) {
    throw new InvalidArgumentError(`${what} must be a probability in [0, 1], got ${rate}.`);
  }
}

export function assertNonNegative(value: number, what: string): void {
  if (!Number.isFinite(value) || value < 0) {
    throw new InvalidArgumentError(`${what} must be a finite number >= 0, got ${value}.`);
  }
}
