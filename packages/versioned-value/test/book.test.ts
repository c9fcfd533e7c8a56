// The acceptance scenarios of PATTERNS.md, section 15 (Versioned Value), one test each.
import { CompactedError } from "@pods/core-interfaces";
import { describe, expect, it } from "vitest";
import { RevisionStore, VersionCompactedError } from "../src/index.ts";

describe("Versioned Value (PATTERNS.md §15)", () => {
  it("floor-lookup", () => {
    const store = new RevisionStore<string>();
    for (const version of [1, 2, 3, 5]) store.putAt("title", version, `v${version}`);
    expect(store.get("title", 4)?.value).toBe("v3");
    expect(store.get("title", 5)?.value).toBe("v5");
    expect(store.get("title", 0)).toBeUndefined();
    expect(store.get("title", 100)?.value).toBe("v5");
  });

  it("no-cross-key-leak", () => {
    const store = new RevisionStore<string>();
    store.putAt("a", 1, "a's value");
    store.putAt("b", 5, "b's value");
    expect(store.get("b", 2)).toBeUndefined();
    expect(store.range("a", undefined, { atVersion: 2 }).map((e) => e.key)).toEqual(["a"]);
  });

  it("stable-snapshot", () => {
    const store = new RevisionStore<number>();
    for (const key of ["alice", "bob", "carol"]) store.put(key, 100);
    const at = store.put("alice", 90);
    const read = () => ({
      range: store.range("", undefined, { atVersion: at }),
      gets: ["alice", "bob", "carol", "dave"].map((key) => store.get(key, at)),
    });
    const before = read();
    for (let n = 0; n < 100; n++) {
      const key = ["alice", "bob", "carol", "dave"][n % 4]!;
      if (n % 7 === 0) store.delete(key);
      else store.put(key, n);
    }
    expect(read()).toEqual(before);
    expect(before.range.map((e) => `${e.key}=${e.value}`)).toEqual([
      "alice=90",
      "bob=100",
      "carol=100",
    ]);
  });

  it("history-and-range", () => {
    const store = new RevisionStore<string>();
    store.put("k", "one"); // 1
    store.put("b", "bee"); // 2
    store.put("k", "three"); // 3
    store.delete("k"); // 4
    store.put("a", "ay"); // 5
    store.put("k", "six"); // 6
    store.put("c", "sea"); // 7
    expect(store.history("k", { fromVersion: 2, toVersion: 5 })).toEqual([
      { kind: "put", key: "k", value: "three", version: 3, createVersion: 1, versionCount: 2 },
      { kind: "delete", key: "k", version: 4 },
    ]);
    expect(store.range("a", "c", { atVersion: 6 })).toEqual([
      { key: "a", value: "ay", version: 5, createVersion: 5, versionCount: 1 },
      { key: "b", value: "bee", version: 2, createVersion: 2, versionCount: 1 },
    ]);
  });

  it("tombstone", () => {
    const store = new RevisionStore<string>();
    store.putAt("k", 3, "value");
    store.deleteAt("k", 7);
    expect(store.get("k", 6)?.value).toBe("value");
    expect(store.get("k", 7)).toBeUndefined();
    expect(store.get("k", 8)).toBeUndefined();
    store.putAt("k", 9, "back");
    expect(store.get("k", 9)).toMatchObject({ value: "back", createVersion: 9, versionCount: 1 });
    expect(store.history("k").map((e) => e.kind)).toEqual(["put", "delete", "put"]);
  });

  it("compaction", () => {
    const store = new RevisionStore<string>();
    for (let version = 1; version <= 8; version++) {
      store.put(`key-${version % 3}`, `v${version}`);
    }
    const keys = ["key-0", "key-1", "key-2"];
    const readsAt = (version: number) => keys.map((key) => store.get(key, version)?.value);
    const before = [5, 6, 7, 8].map(readsAt);
    expect(store.compact(5)).toBe(5);
    expect([5, 6, 7, 8].map(readsAt)).toEqual(before);
    let thrown: unknown;
    try {
      store.get("key-0", 3);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(VersionCompactedError);
    expect(thrown).toBeInstanceOf(CompactedError);
    expect(thrown).toMatchObject({ compactedVersion: 5, requestedVersion: 3 });
  });
});
