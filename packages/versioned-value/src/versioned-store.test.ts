import { CompactedError, InvalidArgumentError, isPodsError } from "@pods/core-interfaces";
import { describe, expect, it } from "vitest";
import { pairVersions } from "../test/pair-versions.ts";
import { VersionCompactedError, VersionConflictError } from "./errors.ts";
import { integerVersions } from "./version-scheme.ts";
import { VersionedStore } from "./versioned-store.ts";

function integerStore<V = string>(
  options: Omit<ConstructorParameters<typeof VersionedStore<V, number>>[0], "versions"> = {},
) {
  return new VersionedStore<V, number>({ ...options, versions: integerVersions });
}

describe("VersionedStore configuration", () => {
  it("rejects limits that are not positive integers", () => {
    for (const bad of [0, -1, 1.5, Number.NaN]) {
      expect(() => integerStore({ keyLengthMax: bad })).toThrow(InvalidArgumentError);
      expect(() => integerStore({ pinsMax: bad })).toThrow(/pinsMax must be a positive integer/);
    }
    const store = integerStore();
    expect([store.keyLengthMax, store.pinsMax]).toEqual([4096, 10_000]);
  });
});

describe("writes", () => {
  it("refuse bad keys and versions with InvalidArgumentError", () => {
    const store = integerStore({ keyLengthMax: 4 });
    expect(() => store.putAt("toolong", 1, "x")).toThrow(/more than keyLengthMax \(4\)/);
    expect(() => store.putAt(7 as unknown as string, 1, "x")).toThrow(InvalidArgumentError);
    for (const bad of [-1, 1.5, Number.NaN, 2 ** 53, "3"]) {
      expect(() => store.putAt("k", bad as number, "x")).toThrow(InvalidArgumentError);
      expect(() => store.deleteAt("k", bad as number)).toThrow(/^version must be an integer/);
    }
    expect(() => store.putAt("k", 0, "x")).toThrow(/need a version above 0, which stands for/);
    expect(store.keyCount).toBe(0);
  });

  it("accept the same write at the same version again, and refuse a different one", () => {
    const store = integerStore();
    store.putAt("k", 3, "a");
    store.putAt("k", 3, "a");
    store.deleteAt("k", 5);
    store.deleteAt("k", 5);
    expect(store.recordCount).toBe(2);
    for (const write of [() => store.putAt("k", 3, "b"), () => store.deleteAt("k", 3)]) {
      let thrown: unknown;
      try {
        write();
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(VersionConflictError);
      expect(thrown).toMatchObject({ code: "VERSION_CONFLICT", key: "k", version: 3 });
      expect(isPodsError(thrown) && thrown.outcome).toBe("definite");
    }
    expect(() => store.putAt("k", 5, "a")).toThrow(/already has a different write at version 5/);
    expect(store.get("k", 3)?.value).toBe("a");
  });

  it("use valuesEqual to recognise a repeated write", () => {
    const store = integerStore<{ n: number }>({ valuesEqual: (a, b) => a.n === b.n });
    store.putAt("k", 1, { n: 1 });
    expect(() => store.putAt("k", 1, { n: 1 })).not.toThrow();
    expect(() => store.putAt("k", 1, { n: 2 })).toThrow(VersionConflictError);
  });

  it("may arrive out of order", () => {
    const store = integerStore();
    store.putAt("k", 5, "five");
    store.putAt("k", 2, "two");
    store.putAt("k", 9, "nine");
    store.putAt("k", 7, "seven");
    expect([1, 2, 6, 7, 8, 100].map((v) => store.get("k", v)?.value)).toEqual([
      undefined,
      "two",
      "five",
      "seven",
      "seven",
      "nine",
    ]);
    expect(store.currentVersion).toBe(9);
  });
});

describe("reads", () => {
  it("carry the key's metadata, reset by a delete and re-derived after a late write", () => {
    const store = integerStore();
    store.putAt("k", 2, "a");
    store.putAt("k", 4, "b");
    store.deleteAt("k", 6);
    store.putAt("k", 8, "c");
    expect(store.get("k", 5)).toEqual({
      key: "k",
      value: "b",
      version: 4,
      createVersion: 2,
      versionCount: 2,
    });
    expect(store.get("k")).toMatchObject({ version: 8, createVersion: 8, versionCount: 1 });
    store.putAt("k", 7, "late"); // lands between the delete and the put at 8
    expect(store.get("k")).toMatchObject({ version: 8, createVersion: 7, versionCount: 2 });
    store.putAt("k", 1, "first");
    expect(store.get("k", 5)).toMatchObject({ createVersion: 1, versionCount: 3 });
  });

  it("refuse versions that are not versions of the scheme", () => {
    const store = integerStore();
    expect(() => store.get("k", -1)).toThrow(/atVersion must be an integer version/);
    expect(() => store.range("a", "b", { atVersion: 0.5 })).toThrow(InvalidArgumentError);
    expect(() => store.range("a", "b", { limit: 0 })).toThrow(/limit must be a positive integer/);
    expect(() => store.history("k", { limit: 1.5 })).toThrow(InvalidArgumentError);
    expect(() => store.newestVersionBetween("k", undefined as unknown as number, 3)).toThrow(
      /afterVersion is missing/,
    );
    expect(() => store.range(undefined as unknown as string, "b")).toThrow(
      /start must be a string/,
    );
  });

  it("page through a range with limit and the next key", () => {
    const store = integerStore();
    const keys = ["a", "a\0", "a\0\0", "ab", "b"];
    keys.forEach((key, index) => store.putAt(key, index + 1, key));
    const seen: string[] = [];
    let start = "";
    for (;;) {
      const page = store.range(start, undefined, { limit: 2 });
      seen.push(...page.map((entry) => entry.key));
      if (page.length < 2) break;
      start = `${page.at(-1)?.key}\0`;
    }
    expect(seen).toEqual(keys);
    expect(store.range("a\0", "ab").map((entry) => entry.key)).toEqual(["a\0", "a\0\0"]);
    expect(store.prefix("a\0").map((entry) => entry.key)).toEqual(["a\0", "a\0\0"]);
  });

  it("find the newest version inside a window, deletes included", () => {
    const store = integerStore();
    store.putAt("k", 10, "x");
    store.deleteAt("k", 14);
    store.putAt("k", 20, "y");
    expect(store.newestVersionBetween("k", 9, 19)).toBe(14);
    expect(store.newestVersionBetween("k", 10, 13)).toBeUndefined();
    expect(store.newestVersionBetween("k", 14, 30)).toBe(20);
    expect(store.newestVersionBetween("other", 0, 30)).toBeUndefined();
  });
});

describe("compaction and pins", () => {
  it("keeps what reads at or above the point need and forgets the rest", () => {
    const store = integerStore();
    store.putAt("kept", 1, "old");
    store.putAt("kept", 3, "current");
    store.putAt("gone", 2, "x");
    store.deleteAt("gone", 4);
    store.putAt("later", 6, "y");
    store.deleteAt("at-point", 5);
    expect(store.compact(5)).toBe(5);
    expect(store.keyCount).toBe(3);
    expect(store.snapshot().records.map((r) => `${r.key}@${r.version}`)).toEqual([
      "at-point@5",
      "kept@3",
      "later@6",
    ]);
    expect(store.history("at-point")).toEqual([{ kind: "delete", key: "at-point", version: 5 }]);
    expect(store.get("kept", 5)).toMatchObject({ value: "current", createVersion: 1 });
    store.compact(6);
    expect(store.keyCount).toBe(2);
  });

  it("refuses reads and writes below the point with a CompactedError", () => {
    const store = integerStore();
    store.putAt("k", 5, "v");
    store.compact(5);
    let thrown: unknown;
    try {
      store.get("k", 4);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(CompactedError);
    expect(thrown).toMatchObject({
      code: "COMPACTED",
      compactedVersion: 5,
      requestedVersion: 4,
      lowWaterMark: 5,
      index: 4,
    });
    expect((thrown as Error).message).toContain("Version 4 is below the compacted version 5");
    expect(() => store.putAt("k", 5, "v")).toThrow(/compacted up to 5/);
    expect(() => store.history("k", { fromVersion: 2 })).toThrow(VersionCompactedError);
    expect(() => store.newestVersionBetween("k", 4, 9)).toThrow(VersionCompactedError);
    expect(() => store.pin(4)).toThrow(VersionCompactedError);
    expect(store.get("k", 5)?.value).toBe("v");
  });

  it("names versions that are not numbers in its messages", () => {
    const store = new VersionedStore<string, { wallMs: number; logical: number }>({
      versions: pairVersions,
    });
    store.putAt("k", { wallMs: 10, logical: 2 }, "v");
    store.compact({ wallMs: 10, logical: 0 });
    expect(() => store.get("k", { wallMs: 9, logical: 9 })).toThrow(
      "Version 9.9 is below the compacted version 10.0",
    );
    try {
      store.get("k", { wallMs: 9, logical: 9 });
    } catch (error) {
      expect(error).toMatchObject({ lowWaterMark: Number.NaN, index: undefined });
    }
  });

  it("refuses a point above the newest version and ignores one at or below the current point", () => {
    const store = integerStore();
    store.putAt("k", 3, "v");
    expect(() => store.compact(4)).toThrow(/above the newest version 3/);
    expect(() => store.compact(-1)).toThrow(InvalidArgumentError);
    expect(store.compact(2)).toBe(2);
    expect(store.compact(1)).toBe(2);
    expect(store.compactedVersion).toBe(2);
  });

  it("stops at the oldest pin until it is released", () => {
    const store = integerStore();
    for (let version = 1; version <= 6; version++) store.putAt("k", version, `v${version}`);
    const first = store.pin(2);
    const second = store.pin(2);
    const third = store.pin(4);
    expect(store.pinnedVersions).toEqual([2, 2, 4]);
    expect(store.compact(6)).toBe(2);
    first.release();
    first.release();
    expect(first.released).toBe(true);
    expect(store.compact(6)).toBe(2);
    second.release();
    expect(store.compact(6)).toBe(4);
    expect(store.get("k", 4)?.value).toBe("v4");
    third.release();
    expect(store.compact(6)).toBe(6);
    expect(store.pinnedVersions).toEqual([]);
  });

  it("holds at most pinsMax pins", () => {
    const store = integerStore({ pinsMax: 2 });
    store.pin(0);
    const pin = store.pin(0);
    expect(() => store.pin(0)).toThrow(/2 pins are held \(pinsMax\)/);
    pin.release();
    expect(() => store.pin(0)).not.toThrow();
  });
});

describe("snapshots", () => {
  it("survive JSON and restore everything, metadata of compacted history included", () => {
    const store = integerStore();
    store.putAt("a", 1, "one");
    store.putAt("a", 2, "two");
    store.putAt("b", 3, "three");
    store.deleteAt("b", 4);
    store.putAt("a", 5, "five");
    store.compact(3);
    const copy = integerStore({
      snapshot: JSON.parse(JSON.stringify(store.snapshot())) as ReturnType<typeof store.snapshot>,
    });
    expect(copy.snapshot()).toEqual(store.snapshot());
    expect(copy.get("a")).toEqual({
      key: "a",
      value: "five",
      version: 5,
      createVersion: 1,
      versionCount: 3,
    });
    expect([copy.currentVersion, copy.compactedVersion]).toEqual([5, 3]);
    expect(() => copy.get("a", 2)).toThrow(VersionCompactedError);
    copy.putAt("a", 6, "six");
    expect(copy.get("a")).toMatchObject({ createVersion: 1, versionCount: 4 });
  });
});
