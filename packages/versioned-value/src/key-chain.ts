import type { HistoryEvent, VersionedValue } from "./events.ts";

// The retained versions of one key, oldest first, as ONE flat array of 4-slot records:
//   [version, value or tombstone, createVersion, versionCount, version, ...]
// The store maps each key straight to this array, so a read is a hash lookup, one array and a
// binary search over its version slots: the fewest objects (and cache misses) per read. Each
// record keeps the key's metadata at that version, so metadata survives the compaction of the
// records it was derived from. A delete's metadata slots hold its own version and 0, and only a
// delete has a versionCount of 0: reads test that small integer, which measured faster than
// comparing the value slot with the tombstone symbol.

/** The retained versions of one key; see the layout above. */
export type KeyChain = unknown[];

/** Stands for a delete in a record's value slot; never visible outside the package. */
export const tombstone: unique symbol = Symbol("tombstone");

/** A value slot: a value, or {@link tombstone}. */
export type Slot<V> = V | typeof tombstone;

/** What {@link insertRecord} did. */
export type InsertOutcome = "inserted" | "repeated" | "conflict";

/**
 * Slots per record: record `index` starts at slot `index * stride`. The read path (the floor
 * searches, valueAt and the store's `get`, which reads a record inline) shifts by 2 instead, which
 * measured faster there on Node 20 than arithmetic with this constant.
 */
const stride = 4;

/** The number of records in `chain`. */
export function recordCount(chain: KeyChain): number {
  return chain.length / stride;
}

/** The version of record `index`. */
export function versionAt<Ver>(chain: KeyChain, index: number): Ver {
  return chain[index * stride] as Ver;
}

/** Whether record `index` is a delete. */
export function isTombstone(chain: KeyChain, index: number): boolean {
  return chain[index * stride + 3] === 0;
}

/**
 * The index of the newest record at or below `at` (the newest of all when `at` is undefined), or
 * -1 when every record is newer. Checks the newest record first: most reads are of it.
 */
export function floorIndex<Ver>(
  chain: KeyChain,
  at: Ver | undefined,
  compare: (a: Ver, b: Ver) => number,
): number {
  const last = (chain.length >> 2) - 1;
  if (at === undefined || last < 0 || compare(chain[last << 2] as Ver, at) <= 0) return last;
  let low = 0;
  let high = last - 1;
  let found = -1;
  while (low <= high) {
    const middle = (low + high) >>> 1;
    if (compare(chain[middle << 2] as Ver, at) <= 0) {
      found = middle;
      low = middle + 1;
    } else {
      high = middle - 1;
    }
  }
  return found;
}

/**
 * {@link floorIndex} for versions that are numbers ordered by `<` (integer revisions): the same
 * answer, comparing inline instead of calling a comparator, and without the newest-first check
 * (reads at random versions would pay a cache line for it; a read of the newest passes undefined).
 */
export function floorIndexNumeric(chain: KeyChain, at: number | undefined): number {
  let low = 0;
  let high = chain.length >> 2;
  if (at === undefined) return high - 1;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((chain[middle << 2] as number) <= at) low = middle + 1;
    else high = middle;
  }
  return low - 1;
}

/** The index of the oldest record at or above `from`; the record count when there is none. */
export function ceilingIndex<Ver>(
  chain: KeyChain,
  from: Ver,
  compare: (a: Ver, b: Ver) => number,
): number {
  const index = floorIndex(chain, from, compare);
  return index >= 0 && compare(chain[index * stride] as Ver, from) === 0 ? index : index + 1;
}

/** Record `index` of `key`'s chain as a read sees it: undefined for a delete. */
export function valueAt<V, Ver>(
  chain: KeyChain,
  key: string,
  index: number,
): VersionedValue<V, Ver> | undefined {
  const base = index << 2;
  if (chain[base + 3] === 0) return undefined;
  return {
    key,
    value: chain[base + 1] as V,
    version: chain[base] as Ver,
    createVersion: chain[base + 2] as Ver,
    versionCount: chain[base + 3] as number,
  };
}

/** Record `index` of `key`'s chain as history lists it. */
export function eventAt<V, Ver>(chain: KeyChain, key: string, index: number): HistoryEvent<V, Ver> {
  const value = valueAt<V, Ver>(chain, key, index);
  return value === undefined
    ? { kind: "delete", key, version: chain[index * stride] as Ver }
    : { kind: "put", ...value };
}

/**
 * Adds a record at `version`. Versions usually arrive newest-last, which appends; an older one is
 * inserted in order and the metadata of the records after it is derived again. A record at a
 * version already present is a repeat when it carries the same slot (by `equal`), a conflict
 * otherwise; neither changes the chain.
 */
export function insertRecord<V, Ver>(
  chain: KeyChain,
  version: Ver,
  slot: Slot<V>,
  compare: (a: Ver, b: Ver) => number,
  equal: (a: V, b: V) => boolean,
): InsertOutcome {
  const count = chain.length / stride;
  if (count === 0 || compare(chain[(count - 1) * stride] as Ver, version) < 0) {
    chain.push(version, slot, version, 0);
    deriveMetadata(chain, count);
    return "inserted";
  }
  const below = floorIndex(chain, version, compare);
  if (below >= 0 && compare(chain[below * stride] as Ver, version) === 0) {
    const existing = chain[below * stride + 1] as Slot<V>;
    const same =
      existing === tombstone || slot === tombstone ? existing === slot : equal(existing, slot);
    return same ? "repeated" : "conflict";
  }
  chain.splice((below + 1) * stride, 0, version, slot, version, 0);
  for (let index = below + 1; index <= count; index++) deriveMetadata(chain, index);
  return "inserted";
}

/**
 * Appends a record with the metadata given (restoring a snapshot, where the records it derives
 * from may be compacted away).
 */
export function appendRestored<V, Ver>(
  chain: KeyChain,
  version: Ver,
  slot: Slot<V>,
  createVersion: Ver,
  versionCount: number,
): void {
  chain.push(version, slot, createVersion, versionCount);
}

/**
 * Drops the records that reads and histories at or above `point` no longer need: all but the
 * newest record at or below `point`, and that one too when it is a delete below `point` (it
 * hides nothing any more; a delete exactly at `point` stays for histories from `point`).
 *
 * @returns the number of records dropped.
 */
export function compactChain<Ver>(
  chain: KeyChain,
  point: Ver,
  compare: (a: Ver, b: Ver) => number,
): number {
  const newest = floorIndex(chain, point, compare);
  if (newest < 0) return 0;
  const dropsNewest =
    chain[newest * stride + 1] === tombstone && compare(chain[newest * stride] as Ver, point) < 0;
  const dropped = dropsNewest ? newest + 1 : newest;
  if (dropped > 0) chain.splice(0, dropped * stride);
  return dropped;
}

/** Sets record `index`'s metadata from its own slot and the record before it. */
function deriveMetadata(chain: KeyChain, index: number): void {
  const base = index * stride;
  if (chain[base + 1] === tombstone) {
    chain[base + 2] = chain[base];
    chain[base + 3] = 0;
  } else if (index === 0 || chain[base - stride + 1] === tombstone) {
    chain[base + 2] = chain[base];
    chain[base + 3] = 1;
  } else {
    chain[base + 2] = chain[base - stride + 2];
    chain[base + 3] = (chain[base - stride + 3] as number) + 1;
  }
}
