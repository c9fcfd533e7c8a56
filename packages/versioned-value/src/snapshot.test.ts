import { CorruptionError } from "@pods/core-interfaces";
import { describe, expect, it } from "vitest";
import type { HistoryEvent } from "./events.ts";
import { recordCount, valueAt } from "./key-chain.ts";
import { restoreSnapshot, type StoreSnapshot } from "./snapshot.ts";
import { integerVersions } from "./version-scheme.ts";

const put = (
  key: string,
  version: number,
  createVersion = version,
  versionCount = 1,
): HistoryEvent<string, number> => ({
  kind: "put",
  key,
  value: "v",
  version,
  createVersion,
  versionCount,
});
const del = (key: string, version: number): HistoryEvent<string, number> => ({
  kind: "delete",
  key,
  version,
});

function restore(snapshot: unknown) {
  return restoreSnapshot(snapshot as StoreSnapshot<string, number>, integerVersions, 8);
}

describe("restoreSnapshot", () => {
  it("rebuilds chains from a well-formed snapshot", () => {
    const restored = restore({
      currentVersion: 9,
      compactedVersion: 4,
      records: [put("a", 3, 1, 2), put("a", 6, 1, 3), del("a", 7), put("a", 9), del("b", 4)],
    });
    expect(restored.chains.map(([key, chain]) => [key, recordCount(chain)])).toEqual([
      ["a", 4],
      ["b", 1],
    ]);
    expect(valueAt(restored.chains[0]![1], "a", 1)).toMatchObject({
      createVersion: 1,
      versionCount: 3,
    });
    expect(restored.recordCount).toBe(5);
  });

  it("refuses damaged snapshots with CorruptionError naming the problem", () => {
    const base = { currentVersion: 9, compactedVersion: 4 };
    const cases: [unknown, RegExp][] = [
      [null, /not an object/],
      [{ ...base, currentVersion: -1, records: [] }, /currentVersion is not a version/],
      [{ ...base, compactedVersion: 10, records: [] }, /compactedVersion is above currentVersion/],
      [{ ...base, records: {} }, /records is not an array/],
      [{ ...base, records: [7] }, /record 0 is not an object/],
      [{ ...base, records: [put("toolong-key", 5)] }, /record 0 has a key/],
      [{ ...base, records: [put("a", 10)] }, /record 0's version is not above zero/],
      [{ ...base, records: [put("b", 5), put("a", 6)] }, /record 1 is out of key order/],
      [{ ...base, records: [put("a", 6), put("a", 6, 6, 2)] }, /record 1 is out of version order/],
      [
        { ...base, records: [put("a", 2), put("a", 3, 2, 2)] },
        /record 1 is a version compaction drops/,
      ],
      [{ ...base, records: [del("a", 3)] }, /record 0 is a version compaction drops/],
      [{ ...base, records: [{ ...put("a", 5), kind: "patch" }] }, /neither a put nor a delete/],
      [{ ...base, records: [put("a", 5, 5, 2)] }, /record 0's createVersion or versionCount/],
      [{ ...base, records: [put("a", 5), put("a", 6, 6, 1)] }, /record 1's createVersion/],
      [{ ...base, records: [put("a", 3, 5, 1)] }, /record 0's createVersion/],
      [{ ...base, records: [put("a", 5, -2, 1)] }, /createVersion is not a version/],
    ];
    for (const [snapshot, message] of cases) {
      expect(() => restore(snapshot)).toThrow(CorruptionError);
      expect(() => restore(snapshot)).toThrow(message);
    }
  });
});
