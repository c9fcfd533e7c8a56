import type { Cancel, Clock, NodeId, Scheduler } from "@pods/core-interfaces";
import type { ResponseReceiver } from "@pods/single-socket-channel";
import type { PipelineChannel } from "../src/index.ts";

// Test doubles for the unit tests: time that moves only when told, and a channel that holds each
// request until the test answers or fails it.

/** A clock and scheduler on manual time: `advance` runs due tasks in (due time, schedule) order. */
export class ManualTime implements Clock, Scheduler {
  nowMs = 0;
  #tasks: { dueMs: number; seq: number; task: () => void }[] = [];
  #seq = 0;

  monotonicMs(): number {
    return this.nowMs;
  }

  wallMs(): number {
    return 1_700_000_000_000 + this.nowMs;
  }

  after(delayMs: number, task: () => void): Cancel {
    const entry = { dueMs: this.nowMs + delayMs, seq: this.#seq++, task };
    this.#tasks.push(entry);
    return () => {
      this.#tasks = this.#tasks.filter((other) => other !== entry);
    };
  }

  /** Moves time forward by `ms`, running each task when its due time comes, with microtasks between. */
  async advance(ms: number): Promise<void> {
    const until = this.nowMs + ms;
    for (;;) {
      await flush();
      const next = [...this.#tasks].sort((a, b) => a.dueMs - b.dueMs || a.seq - b.seq)[0];
      if (next === undefined || next.dueMs > until) break;
      this.#tasks = this.#tasks.filter((other) => other !== next);
      this.nowMs = Math.max(this.nowMs, next.dueMs);
      next.task();
    }
    this.nowMs = until;
    await flush();
  }
}

/** Lets every queued promise continuation run. */
export async function flush(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

/** A request the fake channel holds until the test settles it. */
export interface Held<W> {
  readonly message: W;
  readonly atMs: number;
  settled: boolean;
  answer(response: W | Promise<W>): void;
  fail(error: Error): void;
}

/** A channel whose requests wait for the test. */
export class HoldingChannel<W> implements PipelineChannel<W> {
  readonly held: Held<W>[] = [];
  readonly disconnects: string[] = [];
  readonly #clock: Clock;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  requestWith(_to: NodeId, message: W, receiver: ResponseReceiver<W>): void {
    const held: Held<W> = {
      message,
      atMs: this.#clock.monotonicMs(),
      settled: false,
      answer: (response) => {
        held.settled = true;
        void Promise.resolve(response).then(
          (value) => receiver.response(value),
          (error: unknown) =>
            receiver.failure(error instanceof Error ? error : new Error(String(error))),
        );
      },
      fail: (error) => {
        held.settled = true;
        receiver.failure(error);
      },
    };
    this.held.push(held);
  }

  send(): void {}

  disconnect(_peer: NodeId, reason = "disconnected"): void {
    this.disconnects.push(reason);
  }

  /** Requests not yet settled, in send order. */
  pending(): Held<W>[] {
    return this.held.filter((held) => !held.settled);
  }
}

/** Resolves with the rejection of `promise`, or `undefined` if it resolves. */
export function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}
