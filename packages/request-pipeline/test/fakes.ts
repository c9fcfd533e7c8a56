import type { Cancel, Clock, NodeId, Scheduler } from "@pods/core-interfaces";
import { ConnectionLostError, type ResponseReceiver } from "@pods/single-socket-channel";
import type { PipelineChannel } from "../src/index.ts";

// Test doubles for the unit tests: time that moves only when told, and a channel whose requests
// are answered, failed or dropped by hand.

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

  /** Timers waiting. */
  get pending(): number {
    return this.#tasks.length;
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

/** A request the fake channel holds until the test answers it. */
export interface HeldRequest<M> {
  readonly to: NodeId;
  readonly message: M;
  settled: boolean;
  answer(response: M): void;
  fail(error: Error): void;
}

/** A channel whose requests wait for the test; `disconnect` fails them all, in order. */
export class FakeChannel<M> implements PipelineChannel<M> {
  readonly held: HeldRequest<M>[] = [];
  readonly messages: M[] = [];
  readonly disconnects: string[] = [];

  requestWith(to: NodeId, message: M, receiver: ResponseReceiver<M>): void {
    const held: HeldRequest<M> = {
      to,
      message,
      settled: false,
      answer: (response) => {
        if (held.settled) return;
        held.settled = true;
        receiver.response(response);
      },
      fail: (error) => {
        if (held.settled) return;
        held.settled = true;
        receiver.failure(error);
      },
    };
    this.held.push(held);
  }

  send(_to: NodeId, message: M): void {
    this.messages.push(message);
  }

  disconnect(peer: NodeId, reason = "disconnected by this node"): void {
    this.disconnects.push(reason);
    for (const held of this.pending()) held.fail(new ConnectionLostError(peer, reason));
  }

  /** Requests not yet answered or failed, in send order. */
  pending(): HeldRequest<M>[] {
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

/** Records how a promise settled, without awaiting it. */
export function track<T>(promise: Promise<T>): {
  readonly state: () => "pending" | "resolved" | "rejected";
  readonly value: () => T | undefined;
  readonly error: () => unknown;
} {
  let state: "pending" | "resolved" | "rejected" = "pending";
  let value: T | undefined;
  let error: unknown;
  void promise.then(
    (result) => {
      state = "resolved";
      value = result;
    },
    (failure: unknown) => {
      state = "rejected";
      error = failure;
    },
  );
  return { state: () => state, value: () => value, error: () => error };
}
