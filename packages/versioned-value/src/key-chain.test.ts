// Property tests of the floor search over one key's chain: the numeric fast path (inline `<=`)
// must answer exactly as the comparator search and as a plain scan, on chains far longer than the
// store-level property tests build, with versions up to 2^53 - 1.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  floorIndex,
  floorIndexNumeric,
  insertRecord,
  recordCount,
  tombstone,
  versionAt,
  type KeyChain,
} from "./key-chain.ts";
import { integerVersions } from "./version-scheme.ts";

const compare = integerVersions.compare;

/** A chain holding `versions` (any order; repeats are no-ops), every third one a delete. */
function chainOf(versions: readonly number[]): KeyChain {
  const chain: KeyChain = [];
  versions.forEach((version, n) => {
    insertRecord(chain, version, n % 3 === 2 ? tombstone : n, compare, Object.is);
  });
  return chain;
}

/** The index of the newest record at or below `at` by a scan from the oldest: the model. */
function scanFloor(chain: KeyChain, at: number | undefined): number {
  let found = -1;
  for (let index = 0; index < recordCount(chain); index++) {
    if (at === undefined || versionAt<number>(chain, index) <= at) found = index;
  }
  return found;
}

const version = fc.oneof(
  fc.integer({ min: 1, max: 64 }),
  fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
);

/** A version to read at; undefined reads the newest. */
const probe = fc.option(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), { nil: undefined });

describe("floorIndexNumeric", () => {
  it("finds what the comparator search and a scan find", () => {
    fc.assert(
      fc.property(
        fc.array(version, { maxLength: 300 }),
        fc.array(probe, { maxLength: 20 }),
        (versions, probes) => {
          const chain = chainOf(versions);
          // Probe every stored version and its neighbours too, where off-by-one errors live.
          const stored = Array.from({ length: recordCount(chain) }, (_, n) =>
            versionAt<number>(chain, n),
          );
          const ats = [...probes, ...stored.flatMap((v) => [v - 1, v, v + 1])];
          for (const at of ats) {
            const expected = scanFloor(chain, at);
            expect(floorIndexNumeric(chain, at)).toBe(expected);
            expect(floorIndex(chain, at, compare)).toBe(expected);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it("answers -1 on an empty chain and below the oldest version", () => {
    expect(floorIndexNumeric([], 5)).toBe(-1);
    expect(floorIndexNumeric([], undefined)).toBe(-1);
    const chain = chainOf([10, 20, 30]);
    expect([0, 9, 10, 29, 30, 31].map((at) => floorIndexNumeric(chain, at))).toEqual([
      -1, -1, 0, 1, 2, 2,
    ]);
    expect(floorIndexNumeric(chain, undefined)).toBe(2);
  });
});
