import {
  assertDelayMs,
  assertNodeId,
  delay,
  InvalidArgumentError,
  TimeoutError,
  type Clock,
  type Logger,
  type NodeId,
  type Scheduler,
} from "@pods/core-interfaces";
import { RunLoop, type RunOptions, type SettledValues } from "./run-loop.ts";
import { SeededRandom } from "./seeded-random.ts";
import { createSimLogger, formatFields } from "./sim-logger.ts";
import type { NetworkOptions } from "./network-options.ts";
import { SimNetwork } from "./sim-network.ts";
import { SimNode, type NodeHost, type NodeOptions } from "./sim-node.ts";
import { SimulationError, type SimulationReport } from "./simulation-error.ts";
import { Trace } from "./trace.ts";
import { asError, runGuarded } from "./world.ts";

/** 2026-01-01T00:00:00Z: where wall clocks start, in ms since the Unix epoch. */
export const defaultEpochMs = 1_767_225_600_000;

/** Options of a {@link Simulation}. */
export interface SimulationOptions<M> {
  /** The seed everything random derives from: a safe integer ≥ 0. */
  readonly seed: number;
  /** The network's latency, loss, duplication, ordering and copying. */
  readonly network?: NetworkOptions<M>;
  /** Keep every trace line ({@link Simulation.traceLines}); default `false` (hash and tail only). */
  readonly recordTrace?: boolean;
  /** How many of the latest trace lines failure reports show. Default 50. */
  readonly traceTailLines?: number;
  /** True wall time at virtual time 0, ms since the Unix epoch. Default 2026-01-01T00:00:00Z. */
  readonly epochMs?: number;
  /** How many log events each node keeps in {@link SimNode.logs}. Default 200. */
  readonly logRecordsMax?: number;
  /**
   * How many events may run at one virtual instant before the run fails as a livelock (e.g. a
   * timer re-arming itself with delay 0). Default 1000000.
   */
  readonly sameTimeEventsMax?: number;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function assertCount(value: number, what: string, minimum: number): void {
  if (!Number.isSafeInteger(value) || value < minimum) {
    throw new InvalidArgumentError(`${what} must be an integer >= ${minimum}, got ${value}.`);
  }
}

/**
 * A deterministic world from one seed: virtual time, nodes with their own clocks and disks, and a
 * faulty network. Nothing waits in real time; the same seed gives the same run, event for event
 * (compare {@link Simulation.traceHash}).
 *
 * The run loop takes the next event (ordered by due time, then by scheduling order), runs it, lets
 * every promise continuation it caused run, checks the invariants, and only then moves on, so async
 * protocol code sees time advance only between events. Drive it from test code with
 * {@link Simulation.runFor}, {@link Simulation.runUntil} or {@link Simulation.runUntilSettled};
 * code inside the simulation (tasks, timers, handlers) waits with {@link Simulation.sleep}.
 *
 * @typeParam M - the network's message type.
 */
export class Simulation<M = unknown> {
  /** The run's seed. */
  readonly seed: number;
  /** A random stream for test code (workloads, fault schedules), independent of the nodes'. */
  readonly random: SeededRandom;
  /** The network between the nodes. */
  readonly network: SimNetwork<M>;
  /** True time: monotonic = virtual time, wall = epoch + virtual time. No offset, no drift. */
  readonly clock: Clock;
  /** Timers in true time, for test code; the tasks run inside the simulation. */
  readonly scheduler: Scheduler;
  /** A logger for test code; its events go to the trace as `log sim ...`. */
  readonly logger: Logger;
  readonly #loop: RunLoop;
  readonly #trace: Trace;
  readonly #nodes = new Map<NodeId, SimNode<M, unknown>>();
  readonly #host: NodeHost<M>;

  /** @param options - the seed and the configuration of the world. */
  constructor(options: SimulationOptions<M>) {
    const root = new SeededRandom(options.seed);
    this.seed = options.seed;
    this.random = root.fork("test");
    this.#trace = new Trace({
      recordLines: options.recordTrace ?? false,
      tailLines: options.traceTailLines ?? 50,
    });
    const epochMs = options.epochMs ?? defaultEpochMs;
    if (!Number.isFinite(epochMs)) {
      throw new InvalidArgumentError(`epochMs must be a finite number, got ${epochMs}.`);
    }
    const logRecordsMax = options.logRecordsMax ?? 200;
    assertCount(logRecordsMax, "logRecordsMax", 0);
    const sameTimeEventsMax = options.sameTimeEventsMax ?? 1_000_000;
    assertCount(sameTimeEventsMax, "sameTimeEventsMax", 1);
    const loop = new RunLoop(options.seed, root, this.#trace, sameTimeEventsMax);
    this.#loop = loop;
    this.network = new SimNetwork<M>(loop, options.network);
    this.clock = { monotonicMs: () => loop.nowMs, wallMs: () => epochMs + loop.nowMs };
    this.scheduler = {
      after: (delayMs, task) => {
        assertDelayMs(delayMs);
        const event = loop.schedule(loop.nowMs + delayMs, () => {
          runGuarded(loop, "a simulation timer", task);
        });
        return () => {
          loop.cancel(event);
        };
      },
    };
    this.logger = createSimLogger((level, event, fields) => {
      loop.trace(`log sim ${level} ${event} ${formatFields(fields)}`);
    });
    this.#host = {
      world: loop,
      network: this.network,
      epochMs,
      logRecordsMax,
      settle: (promise, description) => loop.settle(promise, description),
    };
  }

  /** Current virtual time, in milliseconds since the start of the run. */
  get now(): number {
    return this.#loop.nowMs;
  }

  /** The running hash of the trace: equal for two runs exactly when they did the same things. */
  get traceHash(): string {
    return this.#trace.hash;
  }

  /** Every trace line; only with `recordTrace: true`. */
  get traceLines(): readonly string[] {
    return this.#trace.lines;
  }

  /** The latest trace lines, oldest first. */
  traceTail(): string[] {
    return this.#trace.tail();
  }

  /** How many events have run. */
  get eventCount(): number {
    return this.#loop.eventCount;
  }

  /** The error that stopped the run, if one did. */
  get failure(): SimulationError | undefined {
    return this.#loop.failure;
  }

  /** The nodes, in the order they were added. */
  get nodes(): readonly SimNode<M, unknown>[] {
    return [...this.#nodes.values()];
  }

  /**
   * Adds a machine and boots its first incarnation (as an event at the current virtual time, so
   * every node added in one go is known before any boots).
   */
  addNode<I>(id: NodeId, options: NodeOptions<M, I>): SimNode<M, I> {
    assertNodeId(id);
    if (this.#nodes.has(id)) throw new InvalidArgumentError(`node ${id} exists already.`);
    this.network.register(id);
    const node = new SimNode<M, I>(this.#host, id, options);
    this.#nodes.set(id, node);
    return node;
  }

  /** The node named `id`. */
  node(id: NodeId): SimNode<M, unknown> {
    const node = this.#nodes.get(id);
    if (node === undefined) {
      throw new InvalidArgumentError(
        `no node ${JSON.stringify(id)}; known: ${[...this.#nodes.keys()].join(", ")}.`,
      );
    }
    return node;
  }

  /**
   * Starts `task` inside the simulation (as an event at the current virtual time) and returns its
   * result. If it throws, the run fails. Drive the simulation to let it finish, e.g. with
   * {@link Simulation.runUntilSettled}.
   */
  spawn<T>(name: string, task: () => T | Promise<T>): Promise<T> {
    let resolve!: (value: T) => void;
    let reject!: (error: unknown) => void;
    const promise = new Promise<T>((onResolve, onReject) => {
      resolve = onResolve;
      reject = onReject;
    });
    promise.catch(() => undefined);
    this.#loop.schedule(this.#loop.nowMs, () => {
      this.#loop.trace(`task ${name} start`);
      const failed = (error: unknown): void => {
        this.#loop.fail(error, `task "${name}"`);
        reject(error);
      };
      try {
        Promise.resolve(task()).then((value) => {
          this.#loop.trace(`task ${name} done`);
          resolve(value);
        }, failed);
      } catch (error) {
        failed(error);
      }
    });
    return promise;
  }

  /** Resolves after `delayMs` of virtual time; for code running inside the simulation. */
  sleep(delayMs: number): Promise<void> {
    return delay(this.scheduler, delayMs);
  }

  /** Runs `action` (a fault, a check) at virtual time `timeMs`, noted in the trace as `label`. */
  at(timeMs: number, label: string, action: () => void): void {
    if (!Number.isFinite(timeMs) || timeMs < this.#loop.nowMs) {
      throw new InvalidArgumentError(
        `at(${timeMs}) is not a virtual time from now (${this.#loop.nowMs} ms) on.`,
      );
    }
    this.#loop.schedule(timeMs, () => {
      this.#loop.trace(`at ${label}`);
      runGuarded(this.#loop, `scheduled action "${label}"`, action);
    });
  }

  /**
   * `promise`, or a `TimeoutError` after `timeoutMs` of virtual time: how a client gives up on a
   * request (an indeterminate outcome).
   */
  withTimeout<T>(promise: Promise<T>, timeoutMs: number, operation = "operation"): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const cancel = this.scheduler.after(timeoutMs, () => {
        reject(new TimeoutError(operation, timeoutMs));
      });
      promise.then(
        (value) => {
          cancel();
          resolve(value);
        },
        (error: unknown) => {
          cancel();
          reject(asError(error));
        },
      );
    });
  }

  /**
   * Registers a check run after every event; it throws (e.g. through `invariant()` or `expect`)
   * when the world is in a state that must never happen. A violation fails the run. Returns a
   * function that unregisters it.
   */
  addInvariant(name: string, check: () => void): () => void {
    return this.#loop.addInvariant(name, check);
  }

  /**
   * Runs a final check (after the run); if it throws, throws a {@link SimulationError} with the
   * seed, the virtual time and the last trace lines, so the failure can be replayed.
   */
  check(name: string, check: () => void): void {
    try {
      check();
    } catch (error) {
      throw new SimulationError(`check "${name}" failed: ${errorMessage(error)}`, this.report(), {
        cause: error,
      });
    }
  }

  /** Where the run stands: seed, virtual time, trace hash and tail. */
  report(): SimulationReport {
    return this.#loop.report();
  }

  /** Runs every event due within the next `durationMs` of virtual time, then sets the clock there. */
  runFor(durationMs: number): Promise<void> {
    return this.#loop.runFor(durationMs);
  }

  /**
   * Runs events until `predicate` holds (checked before and after every event). Throws a
   * {@link SimulationError} if `timeoutMs` of virtual time pass first, or if nothing is left to
   * happen.
   */
  runUntil(predicate: () => boolean, options: RunOptions = {}): Promise<void> {
    return this.#loop.runUntil(predicate, options);
  }

  /**
   * Runs events until every promise settled, then resolves with their values (or rejects like
   * `Promise.all`). The common test shape: start client tasks with {@link Simulation.spawn}, then
   * `await sim.runUntilSettled(tasks)`.
   */
  runUntilSettled<const T extends readonly unknown[]>(
    promises: T,
    options: RunOptions = {},
  ): Promise<SettledValues<T>> {
    return this.#loop.runUntilSettled(promises, options);
  }

  /** Runs the next event, if there is one; resolves with whether one ran. */
  step(): Promise<boolean> {
    return this.#loop.step();
  }
}
