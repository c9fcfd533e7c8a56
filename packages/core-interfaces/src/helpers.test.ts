import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { assertDiskPath, joinDiskPath, parentDiskPath } from "./disk.ts";
import { InvalidArgumentError, InvariantError } from "./errors.ts";
import { invariant } from "./invariant.ts";
import { noopLogger } from "./logger.ts";
import { assertNodeId, compareNodeIds } from "./node-id.ts";
import { assertIntRange } from "./random.ts";
import { assertDelayMs, delay, type Scheduler } from "./scheduler.ts";

describe("invariant", () => {
  it("passes when the condition holds and throws InvariantError otherwise", () => {
    expect(() => invariant(true, "never")).not.toThrow();
    expect(() => invariant(0, "index is positive")).toThrow(InvariantError);
    expect(() => invariant(null, () => "built lazily")).toThrow(/built lazily/);
  });
});

describe("node ids", () => {
  it("accept the cluster's names and reject unusable ones", () => {
    for (const id of ["athens", "node-1", "10.0.0.1:7000", "a_b"]) {
      expect(() => assertNodeId(id)).not.toThrow();
    }
    for (const id of ["", " athens", "-x", "a b", "x".repeat(129), 7, undefined]) {
      expect(() => assertNodeId(id)).toThrow(InvalidArgumentError);
    }
  });

  it("order the book's nodes by their ids 0 to 5", () => {
    const names = ["sparta", "cyrene", "athens", "ephesus", "delphi", "byzantium"];
    expect([...names].sort(compareNodeIds)).toEqual([
      "athens",
      "byzantium",
      "cyrene",
      "delphi",
      "ephesus",
      "sparta",
    ]);
    expect(compareNodeIds("", "athens")).toBeLessThan(0);
  });

  it("compare as a total order", () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => {
        expect(Math.sign(compareNodeIds(a, b)) + Math.sign(compareNodeIds(b, a))).toBe(0);
        expect(compareNodeIds(a, b) === 0).toBe(a === b);
      }),
    );
  });
});

describe("disk paths", () => {
  it("accept relative slash-separated paths", () => {
    for (const path of ["a", "wal/wal-001.log", "snap/.tmp-1"]) {
      expect(() => assertDiskPath(path)).not.toThrow();
    }
    expect(() => assertDiskPath("", true)).not.toThrow();
  });

  it("reject paths that could escape the root or are ambiguous", () => {
    for (const path of [
      "",
      "/etc/passwd",
      "../x",
      "a/../../b",
      "a//b",
      "a/",
      "./a",
      "a\\b",
      "a\0",
    ]) {
      expect(() => assertDiskPath(path)).toThrow(InvalidArgumentError);
    }
    expect(() => assertDiskPath("x".repeat(1025))).toThrow(/longer than 1024/);
  });

  it("split and join", () => {
    expect(parentDiskPath("wal/a.log")).toBe("wal");
    expect(parentDiskPath("a.log")).toBe("");
    expect(joinDiskPath("", "wal", "a.log")).toBe("wal/a.log");
  });
});

describe("argument checks shared by implementations", () => {
  it("reject negative, NaN and infinite delays", () => {
    expect(() => assertDelayMs(0)).not.toThrow();
    expect(() => assertDelayMs(1.5)).not.toThrow();
    for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => assertDelayMs(bad)).toThrow(InvalidArgumentError);
    }
  });

  it("reject empty or unsafe integer ranges", () => {
    expect(() => assertIntRange(0, 1)).not.toThrow();
    for (const [min, max] of [
      [1, 1],
      [2, 1],
      [0.5, 2],
      [0, 2 ** 53],
    ] as const) {
      expect(() => assertIntRange(min, max)).toThrow(InvalidArgumentError);
    }
  });
});

describe("delay", () => {
  it("resolves when the scheduler runs the task", async () => {
    const tasks: (() => void)[] = [];
    const scheduler: Scheduler = {
      after: (_delayMs, task) => {
        tasks.push(task);
        return () => undefined;
      },
    };
    let resolved = false;
    const waiting = delay(scheduler, 10).then(() => {
      resolved = true;
    });
    await Promise.resolve();
    expect(resolved).toBe(false);
    tasks.forEach((task) => task());
    await waiting;
    expect(resolved).toBe(true);
  });
});

describe("noopLogger", () => {
  it("accepts every call and returns itself as a child", () => {
    expect(() => noopLogger.error("x", { a: 1 })).not.toThrow();
    expect(noopLogger.child({ node: "athens" })).toBe(noopLogger);
  });
});
