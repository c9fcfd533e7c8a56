import type { QueuedEvent } from "./event-queue.ts";
import type { SeededRandom } from "./seeded-random.ts";

/**
 * What the parts of a simulation (nodes, network, disks) need from the simulation that owns them.
 * Internal: implemented by `Simulation`.
 */
export interface World {
  /** The run's seed. */
  readonly seed: number;
  /** Current virtual time, in milliseconds. */
  readonly nowMs: number;
  /** The root random stream; parts fork their own from it. */
  readonly random: SeededRandom;
  /** Schedules `run` at virtual time `timeMs` (not before now). */
  schedule(timeMs: number, run: () => void): QueuedEvent;
  /** Cancels a scheduled event. */
  cancel(event: QueuedEvent): void;
  /** Appends a line to the trace, stamped with the current virtual time. */
  trace(line: string): void;
  /** Stops the run: `error` escaped from `where` (a task, a handler, an invariant). */
  fail(error: unknown, where: string): void;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === "object" || typeof value === "function") &&
    value !== null &&
    typeof (value as { then?: unknown }).then === "function"
  );
}

/**
 * Calls `fn`; an exception, or a rejection of the promise it returns, fails the run. Callbacks
 * given to ports must not throw (Scheduler, Transport), so anything escaping them is a bug.
 */
export function runGuarded(world: World, where: string, fn: () => unknown): void {
  try {
    const result = fn();
    if (isThenable(result)) {
      result.then(undefined, (error: unknown) => {
        world.fail(error, where);
      });
    }
  } catch (error) {
    world.fail(error, where);
  }
}

/** `error` if it is an `Error`, else an `Error` describing it (for promise rejections). */
export function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
