import {
  ClosedError,
  InvalidArgumentError,
  type Clock,
  type LogFields,
  type Logger,
  type Scheduler,
} from "@pods/core-interfaces";
import type { SegmentInfo } from "@pods/segmented-log";
import { describe, expect, it } from "vitest";
import { LogCleaner, type CleanableLog } from "./index.ts";

/** A scheduler and clock under the test's control. */
class ManualTime implements Scheduler, Clock {
  nowMs = 0;
  wallOffsetMs = 1_000_000;
  #tasks: { dueMs: number; task: () => void; cancelled: boolean }[] = [];

  after(delayMs: number, task: () => void): () => void {
    const entry = { dueMs: this.nowMs + delayMs, task, cancelled: false };
    this.#tasks.push(entry);
    return () => {
      entry.cancelled = true;
    };
  }

  monotonicMs(): number {
    return this.nowMs;
  }

  wallMs(): number {
    return this.nowMs + this.wallOffsetMs;
  }

  get pending(): number {
    return this.#tasks.filter((entry) => !entry.cancelled).length;
  }

  /** Moves time forward, running due tasks and letting their promises settle. */
  async advance(ms: number): Promise<void> {
    const end = this.nowMs + ms;
    for (;;) {
      const due = this.#tasks
        .filter((entry) => !entry.cancelled && entry.dueMs <= end)
        .sort((a, b) => a.dueMs - b.dueMs)[0];
      if (due === undefined) break;
      this.nowMs = due.dueMs;
      this.#tasks.splice(this.#tasks.indexOf(due), 1);
      due.task();
      await settle();
    }
    this.nowMs = end;
    await settle();
  }
}

async function settle(): Promise<void> {
  for (let turn = 0; turn < 20; turn++) await Promise.resolve();
}

/** An in-memory log of segments of `size` records, with a gate on deletion. */
class FakeLog implements CleanableLog {
  segmentsList: SegmentInfo[] = [];
  running = 0;
  mostRunning = 0;
  gate: Promise<void> | undefined;
  closed = false;

  constructor(segments: number, size: number, newestMs: (at: number) => number) {
    for (let at = 0; at < segments; at++) {
      const base = 1 + at * size;
      this.segmentsList.push({
        file: `wal/${base}`,
        baseIndex: base,
        lastIndex: base + size - 1,
        records: size,
        bytes: 100,
        oldestTimestampMs: newestMs(at) - 1,
        newestTimestampMs: newestMs(at),
        sealed: at < segments - 1,
      });
    }
  }

  get firstIndex(): number {
    return this.segmentsList[0]!.baseIndex;
  }

  get lastIndex(): number {
    return this.segmentsList.at(-1)!.lastIndex;
  }

  segments(): SegmentInfo[] {
    return [...this.segmentsList];
  }

  async truncateBefore(index: number): Promise<number> {
    if (this.closed) throw new ClosedError("fake log");
    this.running++;
    this.mostRunning = Math.max(this.mostRunning, this.running);
    await this.gate;
    while (this.segmentsList[0]!.sealed && this.segmentsList[0]!.lastIndex < index) {
      this.segmentsList.shift();
    }
    this.running--;
    return this.firstIndex;
  }
}

function recordingLogger(events: string[]): Logger {
  const log = (event: string, _fields?: LogFields): void => void events.push(event);
  const logger: Logger = { debug: log, info: log, warn: log, error: log, child: () => logger };
  return logger;
}

describe("LogCleaner", () => {
  it("cleans every cleanIntervalMs on the scheduler, and never overlaps itself", async () => {
    const time = new ManualTime();
    const log = new FakeLog(6, 10, () => 0);
    let snapshotMark = 1;
    const cleaner = new LogCleaner(
      log,
      { clock: time, scheduler: time },
      {
        cleanIntervalMs: 500,
        snapshotMark: () => snapshotMark,
      },
    );
    cleaner.start();
    cleaner.start(); // idempotent
    expect(cleaner.running).toBe(true);
    await time.advance(499);
    expect(cleaner.metrics.passes).toBe(0);
    await time.advance(1);
    expect(cleaner.metrics.passes).toBe(1);
    expect(log.firstIndex).toBe(1);

    snapshotMark = 25; // a snapshot at 24: segments 1..10 and 11..20 may go
    let open!: () => void;
    log.gate = new Promise((resolve) => (open = resolve));
    await time.advance(500);
    const manual = cleaner.clean(); // queued behind the slow scheduled pass
    await time.advance(5_000); // the slow pass holds: no new pass is scheduled meanwhile
    expect(time.pending).toBe(0);
    expect(log.mostRunning).toBe(1);
    open();
    log.gate = undefined;
    const report = await manual;
    expect(report).toMatchObject({ markBefore: 21, mark: 21, target: 25, deleted: [] });
    expect(cleaner.mark).toBe(21);
    expect(cleaner.lastReport?.deleted).toEqual([]);
    expect(cleaner.metrics).toMatchObject({ passes: 3, segmentsDeleted: 2, bytesDeleted: 200 });
    expect(time.pending).toBe(1); // re-armed after the pass ended
    expect(log.mostRunning).toBe(1);

    await cleaner.stop();
    expect(cleaner.running).toBe(false);
    expect(time.pending).toBe(0);
    await time.advance(10_000);
    expect(cleaner.metrics.passes).toBe(3);
  });

  it("never deletes at or above the safety floor, whatever the policies say", async () => {
    const time = new ManualTime();
    const log = new FakeLog(5, 10, () => -1e12); // every record ancient
    const cleaner = new LogCleaner(
      log,
      { clock: time, scheduler: time },
      {
        retentionMs: 0,
        retentionBytesMax: 0,
        snapshotMark: () => 1_000,
        safetyFloor: () => 20,
      },
    );
    const report = await cleaner.clean();
    expect(report).toMatchObject({ retentionMark: 41, snapshotMark: 1_000, target: 20 });
    expect(log.firstIndex).toBe(11); // 11..20 holds 20: kept
    const unbounded = new LogCleaner(log, { clock: time, scheduler: time }, { retentionMs: 0 });
    await unbounded.clean();
    expect(log.segments().map((s) => s.baseIndex)).toEqual([41]); // never the active segment
  });

  it("keeps young segments and ones from the future by time retention", async () => {
    const time = new ManualTime();
    const wall = time.wallMs();
    // Newest records: 3 h ago, 2 h ago, 1 h in the future (the clock was stepped back), now.
    const ages = [3, 2, -1, 0].map((hours) => wall - hours * 3_600_000);
    const log = new FakeLog(4, 5, (at) => ages[at]!);
    const cleaner = new LogCleaner(
      log,
      { clock: time, scheduler: time },
      {
        retentionMs: 3_600_000,
      },
    );
    expect((await cleaner.clean()).deleted.map((s) => s.baseIndex)).toEqual([1, 6]);
    expect(log.firstIndex).toBe(11);
    time.nowMs += 2 * 3_600_000 + 1; // the future segment is now just over an hour old
    expect((await cleaner.clean()).deleted.map((s) => s.baseIndex)).toEqual([11]);
  });

  it("reports a failed pass, retries at the next interval, and stops when the log closes", async () => {
    const time = new ManualTime();
    const events: string[] = [];
    const log = new FakeLog(3, 10, () => 0);
    let floor = Number.NaN;
    const cleaner = new LogCleaner(
      log,
      { clock: time, scheduler: time, logger: recordingLogger(events) },
      { cleanIntervalMs: 100, snapshotMark: () => 30, safetyFloor: () => floor },
    );
    await expect(cleaner.clean()).rejects.toThrow(InvalidArgumentError);
    cleaner.start();
    await time.advance(100);
    expect(events).toEqual(["log-cleaner.pass-failed"]);
    expect(cleaner.metrics.failedPasses).toBe(2);
    expect(log.firstIndex).toBe(1);
    floor = 11;
    await time.advance(100);
    expect(log.firstIndex).toBe(11);
    expect(events).toEqual(["log-cleaner.pass-failed", "log-cleaner.deleted"]);
    log.closed = true;
    floor = 30;
    await time.advance(100);
    expect(time.pending).toBe(0); // ClosedError: nothing left to clean
    expect(events).toHaveLength(2);
  });

  it("validates its options", () => {
    const time = new ManualTime();
    const log = new FakeLog(1, 1, () => 0);
    const env = { clock: time, scheduler: time };
    for (const options of [
      { cleanIntervalMs: 0 },
      { cleanIntervalMs: Number.NaN },
      { retentionMs: -1 },
      { retentionBytesMax: 1.5 },
      { safetyFloor: 5 as unknown as () => number },
    ]) {
      expect(() => new LogCleaner(log, env, options)).toThrow(InvalidArgumentError);
    }
  });
});
