import { assertDelayMs, InvalidArgumentError } from "@pods/core-interfaces";
import { drainMicrotasks } from "./drain.ts";
import { EventQueue, type QueuedEvent } from "./event-queue.ts";
import type { SeededRandom } from "./seeded-random.ts";
import { SimulationError, type SimulationReport } from "./simulation-error.ts";
import type { Trace } from "./trace.ts";
import type { World } from "./world.ts";

/** Options of the run methods that wait for something. */
export interface RunOptions {
  /** Virtual time to wait at most, ms. Default 60000. */
  readonly timeoutMs?: number;
  /** What is awaited, for the error message. */
  readonly description?: string;
}

/** Settled values of the promises given to `Simulation.runUntilSettled`, in order. */
export type SettledValues<T extends readonly unknown[]> = {
  -readonly [K in keyof T]: Awaited<T[K]>;
};

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The engine of a simulation: virtual time, the event queue, the trace, invariants, failure, and
 * the run methods. One event at a time: pop it, run it, drain the microtasks it caused, check the
 * invariants. Only one run method may drive at a time. @internal
 */
export class RunLoop implements World {
  readonly seed: number;
  readonly random: SeededRandom;
  readonly #trace: Trace;
  readonly #queue = new EventQueue();
  readonly #invariants = new Map<string, () => void>();
  readonly #sameTimeEventsMax: number;
  #now = 0;
  #sameTimeEvents = 0;
  #eventCount = 0;
  #driving = false;
  #inEvent = false;
  #driveEnded: Promise<void> = Promise.resolve();
  #failure: SimulationError | undefined;

  constructor(seed: number, random: SeededRandom, trace: Trace, sameTimeEventsMax: number) {
    this.seed = seed;
    this.random = random;
    this.#trace = trace;
    this.#sameTimeEventsMax = sameTimeEventsMax;
  }

  get nowMs(): number {
    return this.#now;
  }

  get eventCount(): number {
    return this.#eventCount;
  }

  get failure(): SimulationError | undefined {
    return this.#failure;
  }

  schedule(timeMs: number, run: () => void): QueuedEvent {
    if (!(timeMs >= this.#now)) {
      throw new InvalidArgumentError(
        `cannot schedule at ${timeMs} ms, before the current virtual time ${this.#now} ms.`,
      );
    }
    return this.#queue.push(timeMs, run);
  }

  cancel(event: QueuedEvent): void {
    this.#queue.cancel(event);
  }

  trace(line: string): void {
    this.#trace.add(this.#now, line);
  }

  fail(error: unknown, where: string): void {
    if (this.#failure !== undefined) return;
    this.trace(`fail ${where}: ${errorMessage(error)}`);
    this.#failure = new SimulationError(`${where} failed: ${errorMessage(error)}`, this.report(), {
      cause: error,
    });
  }

  report(): SimulationReport {
    return {
      seed: this.seed,
      timeMs: this.#now,
      traceHash: this.#trace.hash,
      traceTail: this.#trace.tail(),
    };
  }

  addInvariant(name: string, check: () => void): () => void {
    if (this.#invariants.has(name)) {
      throw new InvalidArgumentError(`an invariant named "${name}" is registered already.`);
    }
    this.#invariants.set(name, check);
    return () => {
      this.#invariants.delete(name);
    };
  }

  runFor(durationMs: number): Promise<void> {
    return this.#drive("runFor", async () => {
      assertDelayMs(durationMs);
      const deadline = this.#now + durationMs;
      await this.#drainAndCheck();
      for (;;) {
        const next = this.#queue.peekTime();
        if (next === undefined || next > deadline) break;
        await this.#runNextEvent();
      }
      this.#now = Math.max(this.#now, deadline);
    });
  }

  runUntil(predicate: () => boolean, options: RunOptions = {}): Promise<void> {
    const timeoutMs = options.timeoutMs ?? 60_000;
    const what = options.description ?? "the condition";
    return this.#drive("runUntil", async () => {
      assertDelayMs(timeoutMs);
      const deadline = this.#now + timeoutMs;
      await this.#drainAndCheck();
      while (!predicate()) {
        const next = this.#queue.peekTime();
        if (next === undefined) {
          throw new SimulationError(
            `waited for ${what}, but nothing is left to happen (no event is scheduled).`,
            this.report(),
          );
        }
        if (next > deadline) {
          this.#now = deadline;
          throw new SimulationError(
            `waited for ${what} for ${timeoutMs} ms of virtual time, in vain.`,
            this.report(),
          );
        }
        await this.#runNextEvent();
      }
    });
  }

  async runUntilSettled<const T extends readonly unknown[]>(
    promises: T,
    options: RunOptions = {},
  ): Promise<SettledValues<T>> {
    let pending = promises.length;
    for (const promise of promises) {
      void Promise.resolve(promise).then(
        () => pending--,
        () => pending--,
      );
    }
    await this.runUntil(() => pending === 0, {
      ...options,
      description: options.description ?? `${promises.length} promise(s) to settle`,
    });
    return await Promise.all(promises);
  }

  step(): Promise<boolean> {
    return this.#drive("step", async () => {
      await this.#drainAndCheck();
      if (this.#queue.peekTime() === undefined) return false;
      await this.#runNextEvent();
      return true;
    });
  }

  /**
   * Waits for `promise`: inside the simulation just waits (the running loop settles it); from test
   * code drives the loop until it settles — after any run already in progress, so that the caller
   * resumes only when no run is in progress.
   */
  settle<T>(promise: Promise<T>, description: string): Promise<T> {
    if (this.#inEvent) return promise;
    if (this.#driving) return this.#driveEnded.then(() => this.settle(promise, description));
    return this.runUntilSettled([promise], { description }).then(([value]) => value);
  }

  async #drive<T>(name: string, body: () => Promise<T>): Promise<T> {
    if (this.#driving) {
      throw new InvalidArgumentError(
        `sim.${name}() was called while the simulation is already running: from inside it (a ` +
          `task, timer or handler: use await sim.sleep(ms) there) or without awaiting an earlier ` +
          `run call.`,
      );
    }
    this.#driving = true;
    let ended!: () => void;
    this.#driveEnded = new Promise<void>((resolve) => {
      ended = resolve;
    });
    try {
      return await body();
    } finally {
      this.#driving = false;
      ended();
    }
  }

  async #drainAndCheck(): Promise<void> {
    await drainMicrotasks();
    if (this.#failure !== undefined) throw this.#failure;
  }

  async #runNextEvent(): Promise<void> {
    const event = this.#queue.pop();
    if (event === undefined) return;
    if (event.timeMs > this.#now) {
      this.#now = event.timeMs;
      this.#sameTimeEvents = 0;
    } else if (++this.#sameTimeEvents > this.#sameTimeEventsMax) {
      this.fail(
        new InvalidArgumentError(
          `more than ${this.#sameTimeEventsMax} events ran at one virtual instant: a livelock ` +
            `(a task re-scheduling itself with delay 0?)`,
        ),
        "the run loop",
      );
    }
    this.#eventCount++;
    this.#inEvent = true;
    try {
      event.run();
    } catch (error) {
      this.fail(error, "an event");
    }
    try {
      await drainMicrotasks();
    } finally {
      this.#inEvent = false;
    }
    if (this.#failure === undefined) {
      for (const [name, check] of this.#invariants) {
        try {
          check();
        } catch (error) {
          this.fail(error, `invariant "${name}"`);
          break;
        }
      }
    }
    if (this.#failure !== undefined) throw this.#failure;
  }
}
