import {
  InvalidArgumentError,
  type Env,
  type LogFields,
  type LogLevel,
  type NodeId,
  type Transport,
} from "@pods/core-interfaces";
import { Incarnation } from "./incarnation.ts";
import { SimClock, type SimClockOptions } from "./sim-clock.ts";
import type { SimDiskOptions } from "./disk-options.ts";
import { SimDisk } from "./sim-disk.ts";
import { createSimLogger, formatFields, type LogRecord } from "./sim-logger.ts";
import type { SimNetwork } from "./sim-network.ts";
import { asError, type World } from "./world.ts";

/** What `boot` receives: one incarnation's view of the world. */
export interface NodeContext<M> {
  /** The node's id. */
  readonly id: NodeId;
  /** Which boot of the node this is: 1 for the first, +1 per restart. */
  readonly incarnation: number;
  /** Clock, scheduler, random, disk and logger, bound to this incarnation. */
  readonly env: Env;
  /** The node's network endpoint for this incarnation. */
  readonly transport: Transport<M>;
}

/**
 * How to build a node.
 *
 * @typeParam M - the network's message type.
 * @typeParam I - what `boot` returns (the node's program), reachable as {@link SimNode.instance}.
 */
export interface NodeOptions<M, I> {
  /**
   * Builds the node's program for one incarnation, on the disk the previous one left. Runs inside
   * the simulation (as an event at the time the node is added or restarted); may be async.
   */
  readonly boot: (context: NodeContext<M>) => I | Promise<I>;
  /** The node's hardware clock. Default: no offset, no drift. */
  readonly clock?: SimClockOptions;
  /** The node's disk. */
  readonly disk?: SimDiskOptions;
}

/** Options of {@link SimNode.crash}. */
export interface CrashOptions {
  /**
   * `true` (default): the machine loses power — unsynced disk changes are lost or torn as the
   * disk's `crashMode` says. `false`: only the process dies (kill -9); the page cache survives, so
   * completed changes stay (still unsynced).
   */
  readonly powerLoss?: boolean;
}

/** What a node needs from its simulation. @internal */
export interface NodeHost<M> {
  readonly world: World;
  readonly network: SimNetwork<M>;
  readonly epochMs: number;
  readonly logRecordsMax: number;
  /** Waits for `promise`, driving the simulation if nothing else does. */
  settle<T>(promise: Promise<T>, description: string): Promise<T>;
}

interface Boot<I> {
  readonly promise: Promise<I>;
  /** Takes `unknown` (always called with an `I`) so that `SimNode` stays covariant in `I`. */
  readonly resolve: (instance: unknown) => void;
  readonly reject: (error: Error) => void;
  settled: boolean;
}

function createBoot<I>(): Boot<I> {
  let resolve!: (instance: unknown) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<I>((onResolve, onReject) => {
    resolve = onResolve as (instance: unknown) => void;
    reject = onReject;
  });
  // A failed boot fails the run; callers that do not await the promise must not see it unhandled.
  promise.catch(() => undefined);
  return { promise, resolve, reject, settled: false };
}

/**
 * A simulated machine: a hardware clock and a disk that last for the whole run, and a process
 * that boots, crashes, restarts and pauses on command. Each boot is a new incarnation with fresh
 * memory; timers, handlers and pending disk operations of a crashed incarnation never run again.
 *
 * @typeParam M - the network's message type.
 * @typeParam I - the node's program, as returned by `boot`.
 */
export class SimNode<M, I = unknown> {
  /** The node's id. */
  readonly id: NodeId;
  /** The node's hardware clock: offset, drift and jumps. */
  readonly clock: SimClock;
  /** The node's disk: faults, inspection, sync log. */
  readonly disk: SimDisk;
  readonly #host: NodeHost<M>;
  readonly #boot: (context: NodeContext<M>) => I | Promise<I>;
  readonly #logs: LogRecord[] = [];
  #incarnation: Incarnation | undefined;
  #env: Env | undefined;
  #transport: Transport<M> | undefined;
  #bootState: Boot<I> | undefined;
  #instance: { readonly value: I } | undefined;
  #count = 0;

  /** @internal */
  constructor(host: NodeHost<M>, id: NodeId, options: NodeOptions<M, I>) {
    if (typeof options.boot !== "function") {
      throw new InvalidArgumentError(`node ${id} needs a boot function.`);
    }
    this.#host = host;
    this.id = id;
    this.#boot = options.boot;
    const world = host.world;
    this.clock = new SimClock(
      () => world.nowMs,
      host.epochMs,
      options.clock ?? {},
      () => {
        this.#incarnation?.retime();
      },
    );
    this.disk = new SimDisk(world, id, options.disk);
    void this.#start();
  }

  /** The number of the current (or last) incarnation: 1 after the first boot. */
  get incarnation(): number {
    return this.#count;
  }

  /** Whether the process is alive (booting, running or paused). */
  get isUp(): boolean {
    return this.#incarnation?.alive ?? false;
  }

  /** Whether the process is paused. */
  get isPaused(): boolean {
    return this.#incarnation?.paused ?? false;
  }

  /** Whether the current incarnation's `boot` has finished. */
  get isBooted(): boolean {
    return this.isUp && this.#instance !== undefined;
  }

  /** What `boot` returned for the current incarnation. */
  get instance(): I {
    if (!this.isBooted || this.#instance === undefined) {
      throw new InvalidArgumentError(
        `node ${this.id} has no running instance (${this.isUp ? "still booting" : "it is down"}); ` +
          `await node.ready() or node.restart() first.`,
      );
    }
    return this.#instance.value;
  }

  /** The current incarnation's environment. */
  get env(): Env {
    return this.#current("env", this.#env);
  }

  /** The current incarnation's transport. */
  get transport(): Transport<M> {
    return this.#current("transport", this.#transport);
  }

  /** The node's latest log events (at most `logRecordsMax`), oldest first. */
  get logs(): readonly LogRecord[] {
    return this.#logs;
  }

  /**
   * Kills the process: its memory is gone, its timers never fire, its handlers are detached, its
   * sends and the messages in flight to it are dropped, its pending disk operations never settle.
   * With power loss (the default) the disk loses or tears unsynced changes. Does nothing if the
   * node is down.
   */
  crash(options: CrashOptions = {}): void {
    const incarnation = this.#incarnation;
    const world = this.#host.world;
    if (incarnation === undefined || !incarnation.alive) {
      world.trace(`crash ${this.id} ignored: already down`);
      return;
    }
    const powerLoss = options.powerLoss ?? true;
    world.trace(`crash ${incarnation.label}${powerLoss ? " power-loss" : " process-only"}`);
    incarnation.kill();
    this.#host.network.detach(this.id);
    if (powerLoss) this.disk.loseUnsynced();
    this.#instance = undefined;
    const boot = this.#bootState;
    if (boot !== undefined && !boot.settled) {
      boot.settled = true;
      boot.reject(
        new InvalidArgumentError(`node ${this.id} crashed before its boot finished; restart it.`),
      );
    }
  }

  /**
   * Boots a new incarnation on the surviving disk; resolves with its instance once `boot`
   * finished. Called from test code, it drives the simulation until then; from inside the
   * simulation (a task), it just waits.
   */
  restart(): Promise<I> {
    if (this.isUp) {
      return Promise.reject(
        new InvalidArgumentError(`node ${this.id} is up; crash it before restarting it.`),
      );
    }
    return this.#host.settle(this.#start(), `node ${this.id} to boot`);
  }

  /**
   * Resolves with the current incarnation's instance once its `boot` finished, driving the
   * simulation when called from test code.
   */
  ready(): Promise<I> {
    const boot = this.#bootState;
    if (!this.isUp || boot === undefined) {
      return Promise.reject(new InvalidArgumentError(`node ${this.id} is down; restart it first.`));
    }
    return this.#host.settle(boot.promise, `node ${this.id} to boot`);
  }

  /**
   * Freezes the process (a long GC pause, SIGSTOP): it runs no timers, handles no messages and
   * sees no disk completions; its clocks keep running. Does nothing if it is down or paused.
   */
  pause(): void {
    const incarnation = this.#incarnation;
    if (incarnation === undefined || !incarnation.alive || incarnation.paused) return;
    this.#host.world.trace(`pause ${incarnation.label}`);
    incarnation.pause();
  }

  /** Thaws the process: it handles its backlog in arrival order, then runs normally. */
  resume(): void {
    const incarnation = this.#incarnation;
    if (incarnation === undefined || !incarnation.alive || !incarnation.paused) return;
    this.#host.world.trace(`resume ${incarnation.label} backlog ${incarnation.backlogSize}`);
    incarnation.resume();
  }

  #current<T>(what: string, value: T | undefined): T {
    if (!this.isUp || value === undefined) {
      throw new InvalidArgumentError(
        `node ${this.id} is down: it has no ${what}; restart it first.`,
      );
    }
    return value;
  }

  #start(): Promise<I> {
    const world = this.#host.world;
    const number = ++this.#count;
    const incarnation = new Incarnation(world, this.id, number, this.clock);
    const transport = this.#host.network.attach(incarnation);
    const env: Env = {
      clock: incarnation.clock,
      scheduler: incarnation.scheduler,
      random: world.random.fork(`node/${this.id}/${number}`),
      disk: this.disk.attach(incarnation),
      logger: createSimLogger((level, event, fields) => {
        this.#log(incarnation, level, event, fields);
      }),
    };
    const boot = createBoot<I>();
    this.#incarnation = incarnation;
    this.#env = env;
    this.#transport = transport;
    this.#bootState = boot;
    this.#instance = undefined;
    world.trace(`boot ${incarnation.label}`);
    const context: NodeContext<M> = { id: this.id, incarnation: number, env, transport };
    world.schedule(world.nowMs, () => {
      incarnation.deliver(`boot of ${incarnation.label}`, async () => {
        try {
          const instance = await this.#boot(context);
          if (!incarnation.alive || boot.settled) return;
          this.#instance = { value: instance };
          boot.settled = true;
          world.trace(`booted ${incarnation.label}`);
          boot.resolve(instance);
        } catch (error) {
          if (!boot.settled) {
            boot.settled = true;
            boot.reject(asError(error));
          }
          throw error;
        }
      });
    });
    return boot.promise;
  }

  #log(incarnation: Incarnation, level: LogLevel, event: string, fields: LogFields): void {
    if (!incarnation.alive) return;
    const world = this.#host.world;
    world.trace(`log ${incarnation.label} ${level} ${event} ${formatFields(fields)}`);
    if (this.#host.logRecordsMax === 0) return;
    if (this.#logs.length >= this.#host.logRecordsMax) this.#logs.shift();
    this.#logs.push({
      timeMs: world.nowMs,
      node: this.id,
      incarnation: incarnation.number,
      level,
      event,
      fields,
    });
  }
}
