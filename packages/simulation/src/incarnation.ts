import { assertDelayMs, type Cancel, type Clock, type Scheduler } from "@pods/core-interfaces";
import type { QueuedEvent } from "./event-queue.ts";
import type { SimClock } from "./sim-clock.ts";
import { runGuarded, type World } from "./world.ts";

interface Timer {
  readonly id: number;
  readonly localDueMs: number;
  readonly task: () => void;
  event: QueuedEvent | undefined;
  cancelled: boolean;
}

interface Deferred {
  readonly where: string;
  readonly fn: () => unknown;
}

/**
 * One life of a node's process, from boot to crash. Everything that calls back into node code —
 * timers, message deliveries, disk completions — goes through {@link Incarnation.deliver}, which
 * runs the callback at once, holds it while the node is paused, and drops it for good once the
 * incarnation has crashed: a crashed process runs nothing, and its pending promises never settle.
 *
 * @internal
 */
export class Incarnation {
  readonly nodeId: string;
  readonly number: number;
  /** `"athens#2"`: how trace lines name this incarnation. */
  readonly label: string;
  /** The incarnation's clock: monotonic from 0 at boot, wall from the node's hardware clock. */
  readonly clock: Clock;
  /** Timers in the node's local time: a delay is converted to true time through the drift. */
  readonly scheduler: Scheduler;
  readonly #world: World;
  readonly #hardware: SimClock;
  readonly #timers = new Set<Timer>();
  #backlog: Deferred[] = [];
  #nextTimerId = 1;
  #alive = true;
  #paused = false;

  constructor(world: World, nodeId: string, number: number, hardware: SimClock) {
    this.#world = world;
    this.#hardware = hardware;
    this.nodeId = nodeId;
    this.number = number;
    this.label = `${nodeId}#${number}`;
    const originMs = hardware.localMs();
    let lastMonotonicMs = 0;
    this.clock = {
      monotonicMs: () => {
        lastMonotonicMs = Math.max(lastMonotonicMs, hardware.localMs() - originMs);
        return lastMonotonicMs;
      },
      wallMs: () => hardware.wallMs(),
    };
    this.scheduler = { after: (delayMs, task) => this.#after(delayMs, task) };
  }

  /** Whether the process is running (booted and not crashed); a paused process is alive. */
  get alive(): boolean {
    return this.#alive;
  }

  /** Whether the process is paused (alive, but running nothing). */
  get paused(): boolean {
    return this.#paused;
  }

  /** How many callbacks wait for the pause to end. */
  get backlogSize(): number {
    return this.#backlog.length;
  }

  /**
   * Runs `fn` as this process: now if it runs, after {@link Incarnation.resume} if it is paused,
   * never if it crashed. An exception or rejection escaping `fn` fails the run.
   */
  deliver(where: string, fn: () => unknown): void {
    if (!this.#alive) return;
    if (this.#paused) {
      this.#backlog.push({ where, fn });
      return;
    }
    runGuarded(this.#world, where, fn);
  }

  /** Stops running callbacks; the clocks keep running. */
  pause(): void {
    this.#paused = true;
  }

  /** Runs the backlog (in the order it arrived, one event each), then runs normally again. */
  resume(): void {
    this.#paused = false;
    const backlog = this.#backlog;
    this.#backlog = [];
    const now = this.#world.nowMs;
    for (const deferred of backlog) {
      this.#world.schedule(now, () => {
        this.deliver(deferred.where, deferred.fn);
      });
    }
  }

  /** The process dies: timers are cancelled, the backlog is dropped, nothing of it runs again. */
  kill(): void {
    this.#alive = false;
    this.#paused = false;
    this.#backlog = [];
    for (const timer of this.#timers) {
      if (timer.event !== undefined) this.#world.cancel(timer.event);
    }
    this.#timers.clear();
  }

  /** Re-times pending timers after the hardware clock's drift changed. */
  retime(): void {
    for (const timer of this.#timers) {
      if (timer.event !== undefined) this.#world.cancel(timer.event);
      const dueMs = Math.max(this.#world.nowMs, this.#hardware.trueTimeAt(timer.localDueMs));
      timer.event = this.#world.schedule(dueMs, () => {
        this.#fire(timer);
      });
    }
  }

  #after(delayMs: number, task: () => void): Cancel {
    assertDelayMs(delayMs);
    if (!this.#alive) return () => undefined;
    const timer: Timer = {
      id: this.#nextTimerId++,
      localDueMs: this.#hardware.localMs() + delayMs,
      task,
      event: undefined,
      cancelled: false,
    };
    const dueMs = this.#world.nowMs + delayMs / this.#hardware.rate;
    timer.event = this.#world.schedule(dueMs, () => {
      this.#fire(timer);
    });
    this.#timers.add(timer);
    return () => {
      timer.cancelled = true;
      if (this.#timers.delete(timer) && timer.event !== undefined) {
        this.#world.cancel(timer.event);
      }
    };
  }

  #fire(timer: Timer): void {
    this.#timers.delete(timer);
    this.deliver(`timer ${timer.id} of ${this.label}`, () => {
      // Cancelled while it waited in a pause backlog: like a real event loop, skip it.
      if (timer.cancelled) return undefined;
      this.#world.trace(`timer ${this.label} ${timer.id}`);
      return timer.task();
    });
  }
}
