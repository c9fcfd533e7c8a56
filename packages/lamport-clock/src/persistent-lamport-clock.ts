import {
  assertDiskPath,
  ClosedError,
  InvalidArgumentError,
  invariant,
  noopLogger,
  type Disk,
  type Logger,
} from "@pods/core-interfaces";
import { DurableCeiling } from "./durable-ceiling.ts";
import { LamportClock, type LamportClockOptions } from "./lamport-clock.ts";
import { lamportCounterMax } from "./lamport-timestamp.ts";

/** The default {@link PersistentLamportClockOptions.ceilingBlock}: 1 000 counter values. */
export const defaultCeilingBlock = 1000;

/** The largest {@link PersistentLamportClockOptions.ceilingBlock} accepted: 2^40. */
export const ceilingBlockMax = 2 ** 40;

/** The default {@link PersistentLamportClockOptions.path}. */
export const defaultCeilingPath = "lamport-clock.ceiling";

/** Options of {@link PersistentLamportClock.open}. */
export interface PersistentLamportClockOptions extends LamportClockOptions {
  /** Where the ceiling is kept (the node's data directory, usually `Env.disk`). */
  readonly disk: Disk;
  /** The ceiling file's path on `disk`. Default `"lamport-clock.ceiling"`. */
  readonly path?: string;
  /**
   * How far ahead of the counter the persisted ceiling is set, in counter values: each write
   * persists (counter + `ceilingBlock`), and a new write starts when the counter comes within
   * half of it. Larger means fewer writes; a restarted node skips up to this many values. An
   * integer from 2 to 2^40. Default 1 000.
   */
  readonly ceilingBlock?: number;
  /** Receives `lamport-clock.persist-failed` errors. Default: none. */
  readonly logger?: Logger;
}

/** What a {@link PersistentLamportClock} has done to keep its ceiling ahead of the counter. */
export interface CeilingStats {
  /** The durable ceiling: every counter at or below it survives a restart. */
  readonly ceiling: number;
  /** Ceiling writes that completed. */
  readonly writes: number;
  /** Ceiling writes that failed (each retried on the next event near the ceiling). */
  readonly failures: number;
  /**
   * Counter values issued above the durable ceiling (the counter cannot wait): each is covered
   * only once the write in flight lands — see {@link PersistentLamportClock.persisted}.
   */
  readonly uncovered: number;
}

/**
 * A {@link LamportClock} that never goes back across restarts, by persisting a ceiling on its
 * counter ahead of need — without making `tick()` or `receive()` wait.
 *
 * - {@link PersistentLamportClock.open} reads the ceiling the previous run persisted and starts
 *   the counter there (every value issued before was at or below it), then durably persists
 *   (counter + `ceilingBlock`) before returning.
 * - While the clock is used, each time the counter comes within `ceilingBlock / 2` of the ceiling
 *   it writes a new ceiling (counter + `ceilingBlock`) in the background: temporary file, sync,
 *   atomic rename.
 * - A counter cannot be held back, so a value above the durable ceiling (a burst of more than
 *   `ceilingBlock / 2` events during one write, or a received timestamp far ahead) is issued at
 *   once and counted in {@link CeilingStats.uncovered}; `await clock.persisted()` waits until the
 *   write in flight covers it. Await it before exposing a timestamp (returning a write's version
 *   to a client) wherever restart monotonicity must hold without exception.
 */
export class PersistentLamportClock extends LamportClock {
  /** The ceiling file's path on the disk. */
  readonly path: string;
  /** How far ahead of the counter each ceiling is set, in counter values. */
  readonly ceilingBlock: number;
  readonly #disk: Disk;
  readonly #logger: Logger;
  #ceiling: DurableCeiling | undefined;
  #closed = false;
  #uncovered = 0;

  /** Use {@link PersistentLamportClock.open}: it reads the ceiling file first. */
  private constructor(options: PersistentLamportClockOptions) {
    super(options);
    const path = options.path ?? defaultCeilingPath;
    assertDiskPath(path);
    const block = options.ceilingBlock ?? defaultCeilingBlock;
    if (!Number.isInteger(block) || block < 2 || block > ceilingBlockMax) {
      throw new InvalidArgumentError(
        `ceilingBlock must be an integer from 2 to ${ceilingBlockMax}, got ${String(block)}.`,
      );
    }
    if (typeof options.disk?.rename !== "function") {
      throw new InvalidArgumentError("PersistentLamportClock needs options.disk, a Disk.");
    }
    this.path = path;
    this.ceilingBlock = block;
    this.#disk = options.disk;
    this.#logger = options.logger ?? noopLogger;
  }

  /**
   * Opens the clock: reads the ceiling a previous run persisted at `path` (none on a first
   * start), starts the counter there, and durably persists a new ceiling before resolving.
   *
   * @throws `InvalidArgumentError` for a bad option.
   * @throws `CorruptionError` when the ceiling file is damaged (the message says how to recover).
   * @throws `IOError` when the disk fails.
   */
  static async open(options: PersistentLamportClockOptions): Promise<PersistentLamportClock> {
    const clock = new PersistentLamportClock(options);
    const ceiling = await DurableCeiling.open({
      disk: clock.#disk,
      path: clock.path,
      magic: "LCCF",
      description: "the Lamport clock's persisted ceiling",
      repairAdvice:
        "restore it from a backup, or write a ceiling above every timestamp this node issued " +
        "(e.g. the highest timestamp in its data) — removing it would let the node reuse timestamps",
      target: () => clock.#ceilingFor(clock.peek().counter),
      onRaised: (value) => {
        if (!clock.#closed) clock.slowPathFrom = value - Math.floor(clock.ceilingBlock / 2);
      },
      logger: clock.#logger,
      failureEvent: "lamport-clock.persist-failed",
    });
    clock.#ceiling = ceiling;
    if (ceiling.restored !== undefined) clock.startAt(ceiling.restored);
    await ceiling.raise(clock.#ceilingFor(clock.peek().counter));
    return clock;
  }

  /** The durable ceiling and what the clock did to keep ahead of it. */
  get persistence(): CeilingStats {
    const ceiling = this.#durable();
    return {
      ceiling: ceiling.value,
      writes: ceiling.writes,
      failures: ceiling.failures,
      uncovered: this.#uncovered,
    };
  }

  /**
   * Resolves once the counter is at or below the durable ceiling, so no restart can issue a value
   * at or below any issued so far. Immediate in the normal case.
   *
   * @throws `IOError` when the ceiling write fails (retry the call).
   * @throws `ClosedError` after {@link PersistentLamportClock.close}.
   */
  persisted(): Promise<void> {
    const { counter } = this.peek();
    if (counter <= this.#durable().value) return Promise.resolve();
    if (this.#closed) return Promise.reject(this.#closedError());
    return this.#durable().atLeast(counter);
  }

  /**
   * Stops the clock: `tick()`, `receive()` and `observe()` throw `ClosedError` from now on.
   * Resolves once the ceiling write in flight (if any) has finished. Idempotent.
   */
  async close(): Promise<void> {
    this.#closed = true;
    this.slowPathFrom = Number.NEGATIVE_INFINITY;
    await this.#durable().close();
  }

  /** @internal */
  protected override beforeAdvance(counter: number): void {
    if (this.#closed) throw this.#closedError();
    const ceiling = this.#durable();
    ceiling.raiseInBackground(this.#ceilingFor(counter));
    if (counter > ceiling.value) this.#uncovered++;
  }

  /** The durable ceiling, there once {@link PersistentLamportClock.open} has read it. */
  #durable(): DurableCeiling {
    invariant(this.#ceiling !== undefined, "the clock is used before open() resolved");
    return this.#ceiling;
  }

  #ceilingFor(counter: number): number {
    return Math.min(counter + this.ceilingBlock, lamportCounterMax);
  }

  #closedError(): ClosedError {
    return new ClosedError(`Lamport clock (ceiling file ${this.path})`);
  }
}
