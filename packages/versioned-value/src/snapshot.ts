import { CorruptionError } from "@pods/core-interfaces";
import type { HistoryEvent } from "./events.ts";
import {
  appendRestored,
  recordCount,
  tombstone,
  valueAt,
  versionAt,
  type KeyChain,
} from "./key-chain.ts";
import type { VersionScheme } from "./version-scheme.ts";

/**
 * Everything a store retains, as plain data: encode it with any codec that round-trips `V` and
 * `Ver` (`createMsgpackCodec` of `@pods/codec`, or JSON for JSON-safe values), and pass it back as
 * the `snapshot` option to rebuild the store. Pins are not part of it: they belong to live readers.
 */
export interface StoreSnapshot<V, Ver> {
  /** The newest version written. */
  readonly currentVersion: Ver;
  /** The compaction point: the oldest version still readable. */
  readonly compactedVersion: Ver;
  /** Every retained version, ordered by key (UTF-16 code units) and then by version. */
  readonly records: readonly HistoryEvent<V, Ver>[];
}

/** A store's contents rebuilt from a {@link StoreSnapshot}. */
export interface RestoredContents<Ver> {
  /** The newest version written. */
  readonly currentVersion: Ver;
  /** The compaction point. */
  readonly compactedVersion: Ver;
  /** Each key with its chain, in key order. */
  readonly chains: readonly (readonly [key: string, chain: KeyChain])[];
  /** The number of records in all chains. */
  readonly recordCount: number;
}

/**
 * Checks `snapshot` completely and rebuilds the chains it describes: versions valid and in order,
 * keys valid and in order, each key's metadata consistent with its records, and what compaction
 * leaves behind (at most one version per key at or below the compaction point, and no delete
 * below it).
 *
 * @throws `CorruptionError` describing the first problem found.
 */
export function restoreSnapshot<V, Ver>(
  snapshot: StoreSnapshot<V, Ver>,
  scheme: VersionScheme<Ver>,
  keyLengthMax: number,
): RestoredContents<Ver> {
  const fail = (problem: string): never => {
    throw new CorruptionError(
      `The snapshot is not valid: ${problem}. It is damaged or was taken with another version ` +
        "scheme; restore from another copy.",
    );
  };
  const version = (value: unknown, what: string): Ver => {
    try {
      scheme.assertValid(value, what);
      return value;
    } catch (error) {
      return fail(`${what} is not a version of this scheme (${(error as Error).message})`);
    }
  };
  if (typeof snapshot !== "object" || snapshot === null) fail("it is not an object");
  const currentVersion = version(snapshot.currentVersion, "currentVersion");
  const compactedVersion = version(snapshot.compactedVersion, "compactedVersion");
  const { compare } = scheme;
  if (compare(compactedVersion, currentVersion) > 0)
    fail("compactedVersion is above currentVersion");
  if (!Array.isArray(snapshot.records)) fail("records is not an array");

  const chains: [string, KeyChain][] = [];
  let key: string | undefined;
  let chain: KeyChain = [];
  snapshot.records.forEach((record, index) => {
    const at = `record ${index}`;
    if (typeof record !== "object" || record === null) fail(`${at} is not an object`);
    const recordKey = record.key;
    if (typeof recordKey !== "string" || recordKey.length > keyLengthMax) {
      fail(`${at} has a key that is not a string of at most ${keyLengthMax} characters`);
    }
    const recordVersion = version(record.version, `${at}'s version`);
    if (compare(recordVersion, scheme.zero) <= 0 || compare(recordVersion, currentVersion) > 0) {
      fail(`${at}'s version is not above zero and at most currentVersion`);
    }
    if (recordKey !== key) {
      if (key !== undefined && recordKey < key) fail(`${at} is out of key order`);
      key = recordKey;
      chain = [];
      chains.push([key, chain]);
    }
    const previous = recordCount(chain) - 1;
    if (previous >= 0 && compare(versionAt<Ver>(chain, previous), recordVersion) >= 0) {
      fail(`${at} is out of version order`);
    }
    const compacted = compare(recordVersion, compactedVersion) <= 0;
    const deleteBelow = record.kind === "delete" && compare(recordVersion, compactedVersion) < 0;
    if (compacted && (previous >= 0 || deleteBelow)) fail(`${at} is a version compaction drops`);
    if (record.kind === "delete") {
      appendRestored(chain, recordVersion, tombstone, recordVersion, 0);
      return;
    }
    if (record.kind !== "put") fail(`${at} is neither a put nor a delete`);
    const createVersion = version(record.createVersion, `${at}'s createVersion`);
    const { versionCount } = record;
    const expected = previous >= 0 ? valueAt<V, Ver>(chain, key, previous) : undefined;
    const consistent =
      expected !== undefined
        ? compare(createVersion, expected.createVersion) === 0 &&
          versionCount === expected.versionCount + 1
        : compacted
          ? compare(createVersion, recordVersion) <= 0 &&
            Number.isSafeInteger(versionCount) &&
            versionCount >= 1
          : compare(createVersion, recordVersion) === 0 && versionCount === 1;
    if (!consistent) fail(`${at}'s createVersion or versionCount disagrees with its history`);
    appendRestored(chain, recordVersion, record.value, createVersion, versionCount);
  });
  return { currentVersion, compactedVersion, chains, recordCount: snapshot.records.length };
}
