import { InvalidArgumentError } from "@pods/core-interfaces";
import { VersionCompactedError, VersionConflictError } from "./errors.ts";
import type { HistoryEvent, VersionedValue } from "./events.ts";
import {
  ceilingIndex,
  compactChain,
  eventAt,
  floorIndex,
  floorIndexNumeric,
  insertRecord,
  isTombstone,
  recordCount,
  tombstone,
  valueAt,
  versionAt,
  type KeyChain,
  type Slot,
} from "./key-chain.ts";
import { PinRegistry, type Pin } from "./pins.ts";
import { restoreSnapshot, type StoreSnapshot } from "./snapshot.ts";
import { SortedKeys } from "./sorted-keys.ts";
import {
  checkLimit,
  checkString,
  defaultKeyLengthMax,
  defaultPinsMax,
  describeKey,
  positiveInteger,
  type HistoryOptions,
  type ScanOptions,
  type VersionedStoreOptions,
} from "./options.ts";
import { integerVersions, type VersionScheme } from "./version-scheme.ts";

/**
 * A multi-version key-value store: every write is a new version of its key, so a read at version
 * V sees the store exactly as it was at V, deletes are versions too (tombstones), and history is
 * kept until {@link VersionedStore.compact} drops what no read at or above a point can see.
 *
 * Keys are strings, ordered by UTF-16 code units. Versions are generic: any {@link VersionScheme}
 * (integer revisions, hybrid or Lamport timestamps). Writes name their version ({@link
 * VersionedStore.putAt}); {@link RevisionStore} adds `put` and `delete` that number writes 1, 2, 3...
 *
 * Reads are a hash lookup of the key and a binary search of its versions, O(log v) for v versions
 * of the key; scans walk a chunked sorted index of the keys, O(log n + k).
 */
export class VersionedStore<V, Ver> {
  /** How this store's versions order, validate and encode. */
  readonly versions: VersionScheme<Ver>;
  /** The longest key accepted, in UTF-16 code units. */
  readonly keyLengthMax: number;
  /** The most pins held at once. */
  readonly pinsMax: number;
  private readonly valuesEqual: (a: V, b: V) => boolean;
  private readonly compare: (a: Ver, b: Ver) => number;
  /** Whether versions are {@link integerVersions}, which reads compare inline with `<`. */
  private readonly numeric: boolean;
  private readonly chains = new Map<string, KeyChain>();
  private readonly keys = new SortedKeys();
  /** Keys whose chains compaction may shrink: those with several records or a delete. */
  private readonly compactable = new Set<string>();
  private readonly pins: PinRegistry<Ver>;
  private current: Ver;
  private compacted: Ver;
  private records = 0;

  /**
   * @param options - the version scheme, limits and an optional snapshot to start from.
   * @throws `InvalidArgumentError` for a bad option.
   * @throws `CorruptionError` for a damaged snapshot.
   */
  constructor(options: VersionedStoreOptions<V, Ver>) {
    const { versions } = options;
    this.versions = versions;
    this.compare = versions.compare;
    this.numeric = versions === (integerVersions as VersionScheme<unknown>);
    this.keyLengthMax = positiveInteger(options.keyLengthMax, defaultKeyLengthMax, "keyLengthMax");
    this.pinsMax = positiveInteger(options.pinsMax, defaultPinsMax, "pinsMax");
    this.valuesEqual = options.valuesEqual ?? Object.is;
    this.pins = new PinRegistry(this.compare);
    this.current = versions.zero;
    this.compacted = versions.zero;
    if (options.snapshot !== undefined) {
      const restored = restoreSnapshot(options.snapshot, versions, this.keyLengthMax);
      this.current = restored.currentVersion;
      this.compacted = restored.compactedVersion;
      this.records = restored.recordCount;
      for (const [key, chain] of restored.chains) this.addChain(key, chain);
    }
  }

  /** The newest version written (the scheme's zero before any write). */
  get currentVersion(): Ver {
    return this.current;
  }

  /** The compaction point: reads below it fail with {@link VersionCompactedError}. */
  get compactedVersion(): Ver {
    return this.compacted;
  }

  /** The number of keys with at least one retained version (a value or a delete). */
  get keyCount(): number {
    return this.chains.size;
  }

  /** The number of versions retained, over all keys, deletes included. */
  get recordCount(): number {
    return this.records;
  }

  /** The versions pinned, oldest first (a version pinned twice appears twice). */
  get pinnedVersions(): readonly Ver[] {
    return this.pins.list();
  }

  /**
   * Writes `value` as `key`'s version `version`. Versions may arrive out of order; writing the same
   * value at the same version again changes nothing.
   *
   * @throws {@link VersionConflictError} when `key` has a different value (or a delete) at `version`.
   * @throws {@link VersionCompactedError} when `version` is at or below the compaction point.
   * @throws `InvalidArgumentError` for a bad key or version.
   */
  putAt(key: string, version: Ver, value: V): void {
    this.write(key, version, value);
  }

  /**
   * Deletes `key` as of `version` by writing a tombstone: reads at or above it see no value until a
   * later put. A delete is recorded even when the key has no value, since an older write may still
   * arrive.
   *
   * @throws {@link VersionConflictError} when `key` has a value at `version`.
   * @throws {@link VersionCompactedError} when `version` is at or below the compaction point.
   * @throws `InvalidArgumentError` for a bad key or version.
   */
  deleteAt(key: string, version: Ver): void {
    this.write(key, version, tombstone);
  }

  /**
   * `key`'s value as of `atVersion`: its newest version at or below `atVersion` (the newest of all
   * when omitted), or undefined when that is a delete or there is none. Never another key's value.
   *
   * @throws {@link VersionCompactedError} when `atVersion` is below the compaction point.
   * @throws `InvalidArgumentError` for a bad key or version.
   */
  get(key: string, atVersion?: Ver): VersionedValue<V, Ver> | undefined {
    this.checkKey(key, "key");
    const at = this.readVersion(atVersion, "atVersion");
    const chain = this.chains.get(key);
    if (chain === undefined) return undefined;
    const index = this.floor(chain, at);
    if (index < 0) return undefined;
    // The record ([version, value, createVersion, versionCount], see key-chain.ts) is read here
    // rather than through valueAt: building the result in this frame measured a third faster on
    // Node 20, and this is the read path. A versionCount of 0 marks a delete.
    const base = index << 2;
    const versionCount = chain[base + 3] as number;
    if (versionCount === 0) return undefined;
    return {
      key,
      value: chain[base + 1] as V,
      version: chain[base] as Ver,
      createVersion: chain[base + 2] as Ver,
      versionCount,
    };
  }

  /**
   * The keys in [`start`, `end`) with a value at `options.atVersion`, one entry per key in key
   * order. `end` undefined scans to the last key. To page, call again with `start` set to the last
   * key returned + `"\0"` (the next string in this order).
   *
   * @throws {@link VersionCompactedError} when the version is below the compaction point.
   * @throws `InvalidArgumentError` for a bad bound, version or limit.
   */
  range(
    start: string,
    end: string | undefined,
    options: ScanOptions<Ver> = {},
  ): VersionedValue<V, Ver>[] {
    checkString(start, "start");
    if (end !== undefined) checkString(end, "end");
    return this.scan(start, (key) => end === undefined || key < end, options);
  }

  /**
   * The keys starting with `prefix` that have a value at `options.atVersion`, in key order.
   *
   * @throws {@link VersionCompactedError} when the version is below the compaction point.
   * @throws `InvalidArgumentError` for a bad prefix, version or limit.
   */
  prefix(prefix: string, options: ScanOptions<Ver> = {}): VersionedValue<V, Ver>[] {
    checkString(prefix, "prefix");
    return this.scan(prefix, (key) => key.startsWith(prefix), options);
  }

  /**
   * `key`'s versions from `fromVersion` to `toVersion` (both included), oldest first: its puts and
   * deletes, as a watch replays them.
   *
   * @throws {@link VersionCompactedError} when `fromVersion` is below the compaction point.
   * @throws `InvalidArgumentError` for a bad key, version or limit.
   */
  history(key: string, options: HistoryOptions<Ver> = {}): HistoryEvent<V, Ver>[] {
    this.checkKey(key, "key");
    const from = this.readVersion(options.fromVersion, "fromVersion") ?? this.compacted;
    const to = this.readVersion(options.toVersion, "toVersion");
    const limit = checkLimit(options.limit);
    const chain = this.chains.get(key);
    const events: HistoryEvent<V, Ver>[] = [];
    if (chain === undefined) return events;
    const count = recordCount(chain);
    for (let index = ceilingIndex(chain, from, this.compare); index < count; index++) {
      if (events.length === limit) break;
      if (to !== undefined && this.compare(versionAt(chain, index), to) > 0) break;
      events.push(eventAt(chain, key, index));
    }
    return events;
  }

  /**
   * The newest version of `key` (a value or a delete) above `afterVersion` and at or below
   * `upToVersion`, or undefined. A reader at `t` with clock uncertainty `u` asks for
   * (`t`, `t + u`]: a version there may have happened before the read, so the read must restart
   * above it. One binary search.
   *
   * @throws {@link VersionCompactedError} when `afterVersion` is below the compaction point.
   * @throws `InvalidArgumentError` for a bad key or version.
   */
  newestVersionBetween(key: string, afterVersion: Ver, upToVersion: Ver): Ver | undefined {
    this.checkKey(key, "key");
    const after = this.requiredVersion(afterVersion, "afterVersion");
    const upTo = this.requiredVersion(upToVersion, "upToVersion");
    const chain = this.chains.get(key);
    if (chain === undefined) return undefined;
    const index = this.floor(chain, upTo);
    if (index < 0) return undefined;
    const version = versionAt<Ver>(chain, index);
    return this.compare(version, after) > 0 ? version : undefined;
  }

  /**
   * Pins `version` for a reader: compaction will not pass it until the pin is released, so reads,
   * scans and histories at or above it keep working.
   *
   * @throws {@link VersionCompactedError} when `version` is below the compaction point.
   * @throws `InvalidArgumentError` for a bad version, or when
   *   {@link VersionedStore.pinsMax} pins are held.
   */
  pin(version: Ver): Pin<Ver> {
    const pinned = this.requiredVersion(version, "version");
    if (this.pins.size >= this.pinsMax) {
      throw new InvalidArgumentError(
        `Cannot pin version ${this.versions.format(pinned)}: ${this.pinsMax} pins are held ` +
          "(pinsMax); release pins readers no longer need, or raise pinsMax.",
      );
    }
    return this.pins.add(pinned);
  }

  /**
   * Garbage-collects below a point: the point is `version`, or the oldest pinned version if that
   * is older. For every key, versions superseded at or before the point are dropped, the newest
   * version at or below it is kept (so reads at or above the point see what they saw before), and
   * a delete below the point, which no longer hides anything, is dropped too — a key left with
   * nothing disappears. Afterwards, reads below the point fail with {@link VersionCompactedError}.
   * A point at or below the current one changes nothing. Cost: O(r) for the r records of keys with
   * several versions or a delete.
   *
   * @returns the compaction point now in force.
   * @throws `InvalidArgumentError` for a bad version, or one above
   *   {@link VersionedStore.currentVersion}.
   */
  compact(version: Ver): Ver {
    this.versions.assertValid(version, "compaction version");
    if (this.compare(version, this.current) > 0) {
      throw new InvalidArgumentError(
        `Cannot compact at version ${this.versions.format(version)}: it is above the newest ` +
          `version ${this.versions.format(this.current)}; compact at or below it.`,
      );
    }
    const oldestPin = this.pins.oldest;
    const point =
      oldestPin !== undefined && this.compare(oldestPin, version) < 0 ? oldestPin : version;
    if (this.compare(point, this.compacted) <= 0) return this.compacted;
    this.compacted = point;
    for (const key of this.compactable) {
      const chain = this.chains.get(key)!;
      this.records -= compactChain(chain, point, this.compare);
      const count = recordCount(chain);
      if (count === 0) {
        this.chains.delete(key);
        this.keys.delete(key);
        this.compactable.delete(key);
      } else if (count === 1 && !isTombstone(chain, 0)) {
        this.compactable.delete(key);
      }
    }
    return point;
  }

  /** Everything retained, as plain data for a codec; see {@link StoreSnapshot}. */
  snapshot(): StoreSnapshot<V, Ver> {
    const records: HistoryEvent<V, Ver>[] = [];
    this.keys.forEachFrom("", (key) => {
      const chain = this.chains.get(key)!;
      const count = recordCount(chain);
      for (let index = 0; index < count; index++) records.push(eventAt(chain, key, index));
      return true;
    });
    return { currentVersion: this.current, compactedVersion: this.compacted, records };
  }

  private write(key: string, version: Ver, slot: Slot<V>): void {
    this.checkKey(key, "key");
    const format = this.versions.format;
    this.versions.assertValid(version, "version");
    if (this.compare(version, this.versions.zero) <= 0) {
      throw new InvalidArgumentError(
        `Cannot write key ${describeKey(key)} at version ${format(version)}: writes need a ` +
          `version above ${format(this.versions.zero)}, which stands for "before any write".`,
      );
    }
    if (this.compare(version, this.compacted) <= 0) {
      throw new VersionCompactedError(
        this.compacted,
        version,
        `Cannot write key ${describeKey(key)} at version ${format(version)}: the store is ` +
          `compacted up to ${format(this.compacted)}, so writes there would change reads already ` +
          "made; write above it.",
      );
    }
    let chain = this.chains.get(key);
    if (chain === undefined) {
      chain = [];
      this.addChain(key, chain);
    }
    switch (insertRecord(chain, version, slot, this.compare, this.valuesEqual)) {
      case "repeated":
        return;
      case "conflict":
        throw new VersionConflictError(
          key,
          version,
          `Key ${describeKey(key)} already has a different write at version ${format(version)}; ` +
            "a version holds one value (or delete) per key, so write at a new version.",
        );
      case "inserted":
        this.records++;
        if (this.compare(version, this.current) > 0) this.current = version;
        // A chain becomes compactable on its second record or a delete, and stays so until
        // compaction leaves it one record that is not a delete.
        if (slot === tombstone || recordCount(chain) === 2) this.compactable.add(key);
    }
  }

  private addChain(key: string, chain: KeyChain): void {
    this.chains.set(key, chain);
    this.keys.add(key);
    if (recordCount(chain) > 1 || (recordCount(chain) === 1 && isTombstone(chain, 0))) {
      this.compactable.add(key);
    }
  }

  private scan(
    start: string,
    within: (key: string) => boolean,
    options: ScanOptions<Ver>,
  ): VersionedValue<V, Ver>[] {
    const at = this.readVersion(options.atVersion, "atVersion");
    const limit = checkLimit(options.limit);
    const entries: VersionedValue<V, Ver>[] = [];
    this.keys.forEachFrom(start, (key) => {
      if (!within(key)) return false;
      const chain = this.chains.get(key)!;
      const index = this.floor(chain, at);
      const entry = index < 0 ? undefined : valueAt<V, Ver>(chain, key, index);
      if (entry !== undefined) entries.push(entry);
      return entries.length < limit;
    });
    return entries;
  }

  /** The index of `chain`'s newest record at or below `at` (the newest when undefined), or -1. */
  private floor(chain: KeyChain, at: Ver | undefined): number {
    return this.numeric
      ? floorIndexNumeric(chain, at as number | undefined)
      : floorIndex(chain, at, this.compare);
  }

  private checkKey(key: string, what: string): void {
    checkString(key, what);
    if (key.length > this.keyLengthMax) {
      throw new InvalidArgumentError(
        `The ${what} ${describeKey(key)} is ${key.length} characters long, more than keyLengthMax ` +
          `(${this.keyLengthMax}); use a shorter key or raise keyLengthMax.`,
      );
    }
  }

  /** Checks a version given as a required argument. */
  private requiredVersion(version: Ver, what: string): Ver {
    if (version === undefined) {
      throw new InvalidArgumentError(`The ${what} is missing; pass a version.`);
    }
    return this.readVersion(version, what) ?? version;
  }

  /** Checks a version to read at; undefined stays undefined ("the newest"). */
  private readVersion(version: Ver | undefined, what: string): Ver | undefined {
    if (version === undefined) return undefined;
    this.versions.assertValid(version, what);
    if (this.compare(version, this.compacted) < 0) {
      const format = this.versions.format;
      throw new VersionCompactedError(
        this.compacted,
        version,
        `Version ${format(version)} is below the compacted version ${format(this.compacted)}: ` +
          `the versions there were garbage-collected. Read at ${format(this.compacted)} or ` +
          "later, or pin a version before compacting to keep it readable.",
      );
    }
    return version;
  }
}
