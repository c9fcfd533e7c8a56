// Property tests: random command sequences applied to the store and to a naive model (every write
// in an unsorted array, never compacted) must give the same answers — for gets, scans, prefixes,
// histories, window queries, metadata, pins, compaction and snapshots — with integer versions (the
// inline numeric search and the comparator search) and with object versions.
import { InvalidArgumentError } from "@pods/core-interfaces";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { byCodeUnits, NaiveModel, type Outcome } from "../test/naive-model.ts";
import { pairFromInt, pairVersions } from "../test/pair-versions.ts";
import { VersionCompactedError, VersionConflictError } from "./errors.ts";
import type { Pin } from "./pins.ts";
import { integerVersions, type VersionScheme } from "./version-scheme.ts";
import { VersionedStore } from "./versioned-store.ts";

const keys = ["", "a", "a\0", "ab", "b", "ba", "\ud800", "\uffff"];
const versionMax = 24;

type Command =
  | { type: "put"; key: string; version: number; value: number }
  | { type: "delete"; key: string; version: number }
  | { type: "compact"; version: number }
  | { type: "pin"; version: number }
  | { type: "release"; which: number }
  | { type: "read"; key: string; version: number | undefined };

const key = fc.constantFrom(...keys);
const version = fc.integer({ min: 0, max: versionMax });
const command: fc.Arbitrary<Command> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ type: fc.constant("put"), key, version, value: fc.nat(2) }) },
  { weight: 2, arbitrary: fc.record({ type: fc.constant("delete"), key, version }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant("compact"), version }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant("pin"), version }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant("release"), which: fc.nat() }) },
  {
    weight: 2,
    arbitrary: fc.record({
      type: fc.constant("read"),
      key,
      version: fc.option(version, { nil: undefined }),
    }),
  },
);

/** Runs `operation` and names its typed failure the way the model does. */
function outcome<T>(operation: () => T): Outcome<T> {
  try {
    return { ok: operation() };
  } catch (error) {
    if (error instanceof VersionConflictError) return { error: "conflict" };
    if (error instanceof VersionCompactedError) return { error: "compacted" };
    if (error instanceof InvalidArgumentError) return { error: "invalid" };
    throw error;
  }
}

function checkAgainstModel<Ver>(
  scheme: VersionScheme<Ver>,
  toVersion: (n: number) => Ver,
  commands: readonly Command[],
): void {
  const store = new VersionedStore<number, Ver>({ versions: scheme });
  const model = new NaiveModel<number, Ver>(scheme);
  const pins: Pin<Ver>[] = [];
  const at = (n: number | undefined) => (n === undefined ? undefined : toVersion(n));

  for (const c of commands) {
    switch (c.type) {
      case "put":
        expect(outcome(() => store.putAt(c.key, toVersion(c.version), c.value))).toEqual(
          model.write(c.key, toVersion(c.version), c.value, false),
        );
        break;
      case "delete":
        expect(outcome(() => store.deleteAt(c.key, toVersion(c.version)))).toEqual(
          model.write(c.key, toVersion(c.version), undefined, true),
        );
        break;
      case "compact":
        expect(outcome(() => store.compact(toVersion(c.version)))).toEqual(
          model.compact(toVersion(c.version)),
        );
        break;
      case "pin": {
        const pinned = outcome(() => store.pin(toVersion(c.version)));
        const expected = model.pin(toVersion(c.version));
        expect("error" in pinned ? pinned : { ok: undefined }).toEqual(expected);
        if ("ok" in pinned) pins.push(pinned.ok);
        break;
      }
      case "release": {
        const pin = pins.splice(c.which % Math.max(1, pins.length), 1)[0];
        if (pin !== undefined) {
          pin.release();
          pin.release(); // idempotent
          model.release(pin.version);
        }
        break;
      }
      case "read":
        expect(outcome(() => store.get(c.key, at(c.version)))).toEqual(
          model.get(c.key, at(c.version)),
        );
        break;
    }
  }

  expect(store.currentVersion).toEqual(model.current);
  expect(store.compactedVersion).toEqual(model.compacted);
  expect(store.pinnedVersions).toEqual(model.pinnedVersions());
  const retained = model.retained();
  expect(store.recordCount).toBe(retained.records);
  expect(store.keyCount).toBe(retained.keys);

  // Every question over a grid of keys, versions and bounds; compared at once (fast, and a failure
  // shows the whole picture).
  const actual: unknown[] = [];
  const expected: unknown[] = [];
  const ask = <T>(question: () => T, answer: Outcome<T>) => {
    actual.push(outcome(question));
    expected.push(answer);
  };
  const versions = [undefined, ...Array.from({ length: versionMax + 2 }, (_, n) => n)];
  for (const k of keys) {
    for (const v of versions) ask(() => store.get(k, at(v)), model.get(k, at(v)));
    for (const from of versions) {
      for (const to of [undefined, 3, 12, versionMax]) {
        ask(
          () => store.history(k, { fromVersion: at(from), toVersion: at(to) }),
          model.history(k, at(from), at(to), Number.POSITIVE_INFINITY),
        );
      }
      if (from === undefined) continue;
      for (const width of [0, 1, 3, 10]) {
        ask(
          () => store.newestVersionBetween(k, toVersion(from), toVersion(from + width)),
          model.newestBetween(k, toVersion(from), toVersion(from + width)),
        );
      }
    }
    ask(() => store.history(k, { limit: 2 }), model.history(k, undefined, undefined, 2));
  }
  const bounds = [...keys, "a\0\0", "zz"].sort(byCodeUnits);
  for (const v of [undefined, 2, 7, 15, versionMax]) {
    for (const start of bounds) {
      for (const end of [undefined, ...bounds]) {
        ask(
          () => store.range(start, end, { atVersion: at(v) }),
          model.scan((k) => k >= start && (end === undefined || k < end), at(v), Infinity),
        );
      }
      ask(
        () => store.range(start, undefined, { atVersion: at(v), limit: 2 }),
        model.scan((k) => k >= start, at(v), 2),
      );
    }
    for (const prefix of ["", "a", "a\0", "b", "\ud800", "c"]) {
      ask(
        () => store.prefix(prefix, { atVersion: at(v) }),
        model.scan((k) => k.startsWith(prefix), at(v), Infinity),
      );
    }
  }
  expect(actual).toEqual(expected);

  // A store rebuilt from the snapshot answers alike (pins aside: they are not in snapshots).
  const snapshot = store.snapshot();
  const restored = new VersionedStore<number, Ver>({ versions: scheme, snapshot });
  expect(restored.snapshot()).toEqual(snapshot);
  expect([restored.keyCount, restored.recordCount]).toEqual([store.keyCount, store.recordCount]);
  const reread = keys.flatMap((k) => versions.map((v) => outcome(() => restored.get(k, at(v)))));
  expect(reread).toEqual(
    keys.flatMap((k) => versions.map((v) => outcome(() => store.get(k, at(v))))),
  );
}

describe("VersionedStore against a naive model", () => {
  it("agrees with integer versions", () => {
    fc.assert(
      fc.property(fc.array(command, { maxLength: 80 }), (commands) => {
        checkAgainstModel(integerVersions, (n) => n, commands);
      }),
      { numRuns: 150 },
    );
  });

  it("agrees with integer versions through the comparator path", () => {
    // integerVersions turns on the inline numeric search; an equal scheme that is not the same
    // object goes through `compare`: both paths must give the model's answers.
    const throughComparator: VersionScheme<number> = { ...integerVersions };
    fc.assert(
      fc.property(fc.array(command, { maxLength: 80 }), (commands) => {
        checkAgainstModel(throughComparator, (n) => n, commands);
      }),
      { numRuns: 100 },
    );
  });

  it("agrees with object versions", () => {
    fc.assert(
      fc.property(fc.array(command, { maxLength: 80 }), (commands) => {
        checkAgainstModel(pairVersions, pairFromInt, commands);
      }),
      { numRuns: 100 },
    );
  });

  it("agrees when versions mostly arrive in order, as in a log", () => {
    const inOrder = fc.array(fc.tuple(command, fc.nat(3)), { maxLength: 80 }).map((steps) => {
      let clock = 0;
      return steps.map(([c, step]): Command => {
        if (c.type !== "put" && c.type !== "delete") return c;
        clock = Math.min(versionMax, clock + step);
        return { ...c, version: clock };
      });
    });
    fc.assert(
      fc.property(inOrder, (commands) => {
        checkAgainstModel(integerVersions, (n) => n, commands);
      }),
      { numRuns: 100 },
    );
  });
});
