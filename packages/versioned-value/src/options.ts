import { InvalidArgumentError } from "@pods/core-interfaces";
import type { StoreSnapshot } from "./snapshot.ts";
import type { VersionScheme } from "./version-scheme.ts";

/** The default of {@link StoreOptions.keyLengthMax}, in UTF-16 code units. */
export const defaultKeyLengthMax = 4096;
/** The default of {@link StoreOptions.pinsMax}. */
export const defaultPinsMax = 10_000;

/** Options every store accepts. */
export interface StoreOptions<V, Ver> {
  /** The longest key accepted, in UTF-16 code units. Default {@link defaultKeyLengthMax}. */
  readonly keyLengthMax?: number;
  /** The most pins held at once. Default {@link defaultPinsMax}. */
  readonly pinsMax?: number;
  /**
   * Whether two values are the same, to tell a repeated write at a version (accepted, changes
   * nothing) from a conflicting one (`VersionConflictError`). Default `Object.is`.
   */
  readonly valuesEqual?: (a: V, b: V) => boolean;
  /** Starts the store with the contents of a {@link StoreSnapshot} (checked in full). */
  readonly snapshot?: StoreSnapshot<V, Ver>;
}

/** Options of {@link VersionedStore}. */
export interface VersionedStoreOptions<V, Ver> extends StoreOptions<V, Ver> {
  /** How versions order, validate and encode; {@link integerVersions} for integer revisions. */
  readonly versions: VersionScheme<Ver>;
}

/** Options of {@link VersionedStore.range} and {@link VersionedStore.prefix}. */
export interface ScanOptions<Ver> {
  /** The version to read at; the newest version of each key when omitted. */
  readonly atVersion?: Ver | undefined;
  /** The most entries returned (a positive integer). Unlimited when omitted. */
  readonly limit?: number | undefined;
}

/** Options of {@link VersionedStore.history}. */
export interface HistoryOptions<Ver> {
  /** The oldest version listed. Default: the compaction point. */
  readonly fromVersion?: Ver | undefined;
  /** The newest version listed. Default: the newest there is. */
  readonly toVersion?: Ver | undefined;
  /** The most events returned (a positive integer). Unlimited when omitted. */
  readonly limit?: number | undefined;
}

/** Checks that `value` is a string. */
export function checkString(value: unknown, what: string): void {
  if (typeof value !== "string") {
    throw new InvalidArgumentError(`The ${what} must be a string, got ${typeof value}.`);
  }
}

/** Checks a scan or history limit; undefined means unlimited. */
export function checkLimit(limit: number | undefined): number {
  if (limit === undefined) return Number.POSITIVE_INFINITY;
  if (!Number.isSafeInteger(limit) || limit < 1) {
    throw new InvalidArgumentError(`limit must be a positive integer, got ${limit}.`);
  }
  return limit;
}

/** Checks an optional positive integer option, returning `fallback` when it is undefined. */
export function positiveInteger(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new InvalidArgumentError(`${name} must be a positive integer, got ${value}.`);
  }
  return value;
}

/** A key for messages: quoted, and cut short when long. */
export function describeKey(key: string): string {
  return JSON.stringify(key.length > 64 ? `${key.slice(0, 64)}…` : key);
}
