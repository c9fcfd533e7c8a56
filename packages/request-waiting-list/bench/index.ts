// Benchmark of @pods/request-waiting-list: a million pending requests with timeouts. Per request:
// the cost to add, to complete by key, to complete by high-water mark (index mode) and to expire,
// and the memory per pending request — each side by side with the naive baseline run in the same
// process: a Map plus one scheduler timer per request, on the same virtual scheduler (so both pay
// alike for timers and neither waits for real time). Memory is also compared with a Map plus one
// real Node timer per request. Run with `pnpm bench` (needs --expose-gc for the memory figures).
import { TimeoutError } from "@pods/core-interfaces";
import { RequestWaitingList, type RequestCallback } from "@pods/request-waiting-list";
import { round, writeBenchReport, type BenchResult } from "../../../bench-kit.js";
import { VirtualTime } from "./virtual-time.ts";

const count = 1_000_000;
const timeoutMs = 1_000;
/** Virtual time between two adds: a million requests arrive over one second (1 000 buckets). */
const arrivalMs = 0.001;
const rounds = 3;

let sink = 0;
const shared: RequestCallback<number> = {
  onComplete: (result) => (sink += result),
  onFailure: (error) => (sink += error instanceof TimeoutError ? 1 : 2),
};

/** The naive waiting list: a Map and one timer per request. */
class NaiveWaitingList {
  readonly entries = new Map<number, { callback: RequestCallback<number>; cancel: () => void }>();
  constructor(readonly time: VirtualTime) {}
  add(key: number, callback: RequestCallback<number>): void {
    const cancel = this.time.scheduler.after(timeoutMs, () => {
      this.entries.delete(key);
      callback.onFailure(new TimeoutError(`request ${key}`, timeoutMs));
    });
    this.entries.set(key, { callback, cancel });
  }
  handleResponse(key: number, response: number): void {
    const entry = this.entries.get(key);
    if (entry === undefined) return;
    this.entries.delete(key);
    entry.cancel();
    entry.callback.onComplete(response);
  }
}

function subjectList(time: VirtualTime, keyedBy: "id" | "index" = "id") {
  return new RequestWaitingList<number, number>({
    clock: time.clock,
    scheduler: time.scheduler,
    timeoutMs,
    keyedBy,
    pendingMax: count,
  });
}

function fill(time: VirtualTime, add: (key: number) => void): void {
  for (let key = 0; key < count; key++) {
    add(key);
    time.nowMs += arrivalMs;
  }
}

function nsPerRequest(work: () => void): number {
  const started = process.hrtime.bigint();
  work();
  return Number(process.hrtime.bigint() - started) / count;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

/** Runs `measure` `rounds` times (each on fresh structures) and keeps the median. */
function repeat(measure: () => number): number {
  return median(Array.from({ length: rounds }, measure));
}

function perRequest(
  name: string,
  subject: () => number,
  baselineName: string,
  baseline: () => number,
): BenchResult {
  const subjectNs = repeat(subject);
  const baselineNs = repeat(baseline);
  return {
    name,
    value: round(subjectNs),
    unit: "ns/request",
    baseline: { name: baselineName, value: round(baselineNs) },
    ratio: round(subjectNs / baselineNs, 3),
    note: "ratio < 1: cheaper than the baseline",
  };
}

const naive = "Map + one timer per request (same virtual scheduler)";
const results: BenchResult[] = [];

results.push(
  perRequest(
    `add ${count} requests with a ${timeoutMs} ms timeout`,
    () => {
      const time = new VirtualTime();
      const list = subjectList(time);
      return nsPerRequest(() => fill(time, (key) => list.add(key, shared)));
    },
    naive,
    () => {
      const time = new VirtualTime();
      const list = new NaiveWaitingList(time);
      return nsPerRequest(() => fill(time, (key) => list.add(key, shared)));
    },
  ),
);

results.push(
  perRequest(
    `complete ${count} pending requests by key (handleResponse)`,
    () => {
      const time = new VirtualTime();
      const list = subjectList(time);
      fill(time, (key) => list.add(key, shared));
      return nsPerRequest(() => {
        for (let key = 0; key < count; key++) list.handleResponse(key, 1);
      });
    },
    naive,
    () => {
      const time = new VirtualTime();
      const list = new NaiveWaitingList(time);
      fill(time, (key) => list.add(key, shared));
      return nsPerRequest(() => {
        for (let key = 0; key < count; key++) list.handleResponse(key, 1);
        time.runUntil(time.nowMs + 2 * timeoutMs); // a timer heap pays for cancelled timers too
      });
    },
  ),
);

results.push(
  perRequest(
    `complete ${count} pending proposals by high-water mark (completeUpTo, 1 000 steps)`,
    () => {
      const time = new VirtualTime();
      const list = subjectList(time, "index");
      fill(time, (key) => list.add(key, shared));
      return nsPerRequest(() => {
        for (let mark = 999; mark < count; mark += 1_000) list.completeUpTo(mark, () => 1);
      });
    },
    `${naive}, completed key by key`,
    () => {
      const time = new VirtualTime();
      const list = new NaiveWaitingList(time);
      fill(time, (key) => list.add(key, shared));
      return nsPerRequest(() => {
        for (let key = 0; key < count; key++) list.handleResponse(key, 1);
        time.runUntil(time.nowMs + 2 * timeoutMs);
      });
    },
  ),
);

results.push(
  perRequest(
    `expire ${count} requests with TimeoutError`,
    () => {
      const time = new VirtualTime();
      const list = subjectList(time);
      fill(time, (key) => list.add(key, shared));
      return nsPerRequest(() => time.runUntil(time.nowMs + 2 * timeoutMs));
    },
    naive,
    () => {
      const time = new VirtualTime();
      const list = new NaiveWaitingList(time);
      fill(time, (key) => list.add(key, shared));
      return nsPerRequest(() => time.runUntil(time.nowMs + 2 * timeoutMs));
    },
  ),
);

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) {
  console.log("memory figures skipped: run with --expose-gc");
} else {
  /** Bytes of heap per request held by what `build` returns, measured after full collections. */
  const bytesPerRequest = (build: () => unknown): number => {
    gc();
    gc();
    const before = process.memoryUsage().heapUsed;
    const held = build();
    gc();
    gc();
    const bytes = (process.memoryUsage().heapUsed - before) / count;
    sink += held === undefined ? 0 : 1;
    return bytes;
  };
  const memory = (
    name: string,
    subject: () => unknown,
    baselineName: string,
    baseline: () => unknown,
  ) => {
    const subjectBytes = bytesPerRequest(subject);
    const baselineBytes = bytesPerRequest(baseline);
    results.push({
      name,
      value: round(subjectBytes),
      unit: "bytes/pending request",
      baseline: { name: baselineName, value: round(baselineBytes) },
      ratio: round(subjectBytes / baselineBytes, 3),
    });
  };
  memory(
    `memory of ${count} pending requests (one shared callback object)`,
    () => {
      const time = new VirtualTime();
      const list = subjectList(time);
      fill(time, (key) => list.add(key, shared));
      return list;
    },
    naive,
    () => {
      const time = new VirtualTime();
      const list = new NaiveWaitingList(time);
      fill(time, (key) => list.add(key, shared));
      return list;
    },
  );
  memory(
    `memory of ${count} pending requests, each awaited through wait() (a promise each)`,
    () => {
      const time = new VirtualTime();
      const list = subjectList(time);
      const promises: Promise<number>[] = [];
      fill(time, (key) => promises.push(list.wait(key)));
      return [list, promises];
    },
    "Map + one real Node timer per request, awaited through a promise each",
    () => {
      const entries = new Map<number, { resolve: (n: number) => void; timer: NodeJS.Timeout }>();
      const promises: Promise<number>[] = [];
      for (let key = 0; key < count; key++) {
        promises.push(
          new Promise<number>((resolve, reject) => {
            const timer = setTimeout(
              () => reject(new TimeoutError(`request ${key}`, timeoutMs)),
              60_000,
            );
            entries.set(key, { resolve, timer });
          }),
        );
      }
      const held = [entries, promises];
      queueMicrotask(() => {
        for (const { timer } of entries.values()) clearTimeout(timer);
      });
      return held;
    },
  );
}

if (sink < 0) console.log(sink);
writeBenchReport("request-waiting-list", "@pods/request-waiting-list", results);
