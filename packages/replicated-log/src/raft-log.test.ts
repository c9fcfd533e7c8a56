import { CompactedError, InvalidArgumentError } from "@pods/core-interfaces";
import { GenerationHistory } from "@pods/generation-clock";
import { describe, expect, it } from "vitest";
import { entryTypes, type LogEntry } from "./entry.ts";
import { RaftLog } from "./raft-log.ts";

function entry(index: number, generation: number, bytes = 1, type: LogEntry["type"] = 0): LogEntry {
  return { index, generation, type, clusterTimeMs: index * 10, payload: new Uint8Array(bytes) };
}

function logOf(generations: number[]): RaftLog {
  const log = new RaftLog();
  log.append(generations.map((generation, i) => entry(i + 1, generation)));
  return log;
}

describe("RaftLog", () => {
  it("appends consecutive entries and answers positions", () => {
    const log = logOf([1, 1, 2]);
    expect([log.firstIndex, log.lastIndex, log.lastGeneration, log.length]).toEqual([1, 3, 2, 3]);
    expect(log.lastClusterTimeMs).toBe(30);
    expect(log.generationAt(0)).toBe(0);
    expect(log.matches(2, 1)).toBe(true);
    expect(log.matches(2, 2)).toBe(false);
    expect(log.matches(4, 2)).toBe(false);
    expect(() => log.append([entry(5, 2)])).toThrow(/does not follow/);
    expect(() => log.append([entry(4, 1)])).toThrow(/below/);
    expect(() => log.entry(9)).toThrow(InvalidArgumentError);
  });

  it("slices by count and bytes, always at least one entry", () => {
    const log = new RaftLog();
    log.append([entry(1, 1, 10), entry(2, 1, 10), entry(3, 1, 10)]);
    expect(log.slice(1, 15, 10).map((e) => e.index)).toEqual([1]);
    expect(log.slice(1, 20, 10).map((e) => e.index)).toEqual([1, 2]);
    expect(log.slice(1, 5, 10).map((e) => e.index)).toEqual([1]);
    expect(log.slice(2, 1000, 1).map((e) => e.index)).toEqual([2]);
    expect(log.bytesOfGeneration(1, 3, 1)).toBe(30);
  });

  it("truncates a suffix and forgets its configuration entries", () => {
    const log = new RaftLog();
    log.append([entry(1, 1), entry(2, 1, 1, entryTypes.configuration), entry(3, 1)]);
    expect(log.lastConfigIndex).toBe(2);
    expect(log.hasConfigIn(1, 3)).toBe(true);
    log.truncateFrom(2);
    expect(log.lastIndex).toBe(1);
    expect(log.lastConfigIndex).toBe(0);
    expect(log.hasConfigIn(0, 3)).toBe(false);
  });

  it("compacts a prefix, keeping the boundary's generation for log matching", () => {
    const log = logOf([1, 1, 2, 3]);
    log.compactTo(3);
    expect([log.firstIndex, log.lastIndex]).toEqual([3, 4]);
    expect(log.generationAt(2)).toBe(1);
    expect(log.matches(2, 1)).toBe(true);
    expect(() => log.entry(2)).toThrow(CompactedError);
    log.reset(10, 4, 99);
    expect([log.firstIndex, log.lastIndex, log.lastGeneration, log.lastClusterTimeMs]).toEqual([
      11, 10, 4, 99,
    ]);
  });

  it("answers GenerationHistory's conflict questions", () => {
    const history = new GenerationHistory(logOf([1, 1, 2, 2, 2, 4]));
    expect(history.conflictHint(5)).toEqual({ generation: 2, firstIndex: 3 });
    expect(history.conflictHint(9)).toEqual({ generation: undefined, firstIndex: 7 });
  });
});
