import {
  InvalidArgumentError,
  noopLogger,
  type Cancel,
  type Logger,
  type Random,
  type Scheduler,
} from "@pods/core-interfaces";
import { AlreadyStartedError } from "./errors.ts";
import { heartbeatDefaults, nonNegativeMs, positiveMs } from "./options.ts";
import { RoundTripEstimator, type RoundTripEstimate } from "./round-trip.ts";

/** The ports a {@link HeartbeatScheduler} uses; an `Env` fits. */
export interface HeartbeatEnv {
  /** Runs the beats. */
  readonly scheduler: Scheduler;
  /** Draws the jitter; required when `jitterMs` > 0. */
  readonly random?: Random;
  /** Receives the round-trip warning. Default: no logging. */
  readonly logger?: Logger;
}

/** Options of a {@link HeartbeatScheduler}. */
export interface HeartbeatSchedulerOptions {
  /** Scheduler, random source (for jitter) and logger. */
  readonly env: HeartbeatEnv;
  /**
   * Sends one round of heartbeats (to every peer, or to the peers not recently sent anything).
   * Runs on the scheduler; it must not throw, and it may call `stop()` or `restart()`.
   */
  readonly beat: () => void;
  /** The time between beats, in ms. Default 100. */
  readonly intervalMs?: number;
  /**
   * Each delay is drawn uniformly from [intervalMs − jitterMs, intervalMs + jitterMs), so that
   * nodes started together do not beat in lockstep; in ms, below `intervalMs`. Default 0.
   */
  readonly jitterMs?: number;
}

/**
 * Calls `beat` every `intervalMs` (± jitter) on the injected scheduler: the sending half of the
 * heartbeat pattern. The first beat runs on the scheduler's next turn after `start()` (a new
 * leader announces itself at once), each later one `intervalMs` after the previous one ran, so a
 * late or paused process never fires a burst of missed beats.
 *
 * It also watches the round trip the caller measures (`roundTripMeasured`): heartbeats sent more
 * often than their answers can return only add load, so it logs `heartbeat.interval-near-round-trip`
 * (warn) when the smoothed round trip reaches half the interval.
 */
export class HeartbeatScheduler {
  /** The time between beats, in ms. */
  readonly intervalMs: number;
  /** The largest deviation from `intervalMs` of one delay, in ms. */
  readonly jitterMs: number;
  readonly #scheduler: Scheduler;
  readonly #random: Random | undefined;
  readonly #logger: Logger;
  readonly #beat: () => void;
  readonly #roundTrip = new RoundTripEstimator();
  #cancel: Cancel | undefined;
  #cycle = 0;
  #beats = 0;
  #roundTripWarned = false;

  /**
   * @throws `InvalidArgumentError` for an interval ≤ 0, a jitter outside [0, interval), or a
   *   jitter without `env.random`.
   */
  constructor(options: HeartbeatSchedulerOptions) {
    this.intervalMs = positiveMs(
      "intervalMs",
      options.intervalMs ?? heartbeatDefaults.heartbeatIntervalMs,
    );
    this.jitterMs = nonNegativeMs("jitterMs", options.jitterMs ?? 0);
    if (this.jitterMs >= this.intervalMs) {
      throw new InvalidArgumentError(
        `jitterMs (${this.jitterMs}) must be below intervalMs (${this.intervalMs}).`,
      );
    }
    if (this.jitterMs > 0 && options.env.random === undefined) {
      throw new InvalidArgumentError("jitterMs > 0 needs env.random to draw the jitter from.");
    }
    this.#scheduler = options.env.scheduler;
    this.#random = options.env.random;
    this.#logger = options.env.logger ?? noopLogger;
    this.#beat = options.beat;
  }

  /** Whether beats are scheduled. */
  get isRunning(): boolean {
    return this.#cancel !== undefined;
  }

  /** Beats run since construction. */
  get beats(): number {
    return this.#beats;
  }

  /** The round trip measured so far, or `undefined` before the first sample. */
  get roundTrip(): RoundTripEstimate | undefined {
    return this.#roundTrip.estimate;
  }

  /**
   * Starts beating: the first beat on the scheduler's next turn, then every interval.
   *
   * @throws {@link AlreadyStartedError} when it is running already (nothing changes).
   */
  start(): void {
    if (this.isRunning) throw new AlreadyStartedError("heartbeat scheduler");
    this.#schedule(++this.#cycle, 0);
  }

  /** Stops beating; a beat already due does not run. Does nothing when stopped. */
  stop(): void {
    this.#cancel?.();
    this.#cancel = undefined;
    this.#cycle++;
  }

  /** Stops, then starts a new cycle: the next beat on the next turn, then every interval. */
  restart(): void {
    this.stop();
    this.start();
  }

  /**
   * Feeds one measured round trip (e.g. from sending a heartbeat to receiving its answer, on the
   * monotonic clock). Logs a warning when the smoothed round trip first reaches half the interval,
   * and again only after it has fallen below a quarter of it.
   *
   * @throws `InvalidArgumentError` unless `roundTripMs` is a finite number ≥ 0.
   */
  roundTripMeasured(roundTripMs: number): RoundTripEstimate {
    const estimate = this.#roundTrip.add(roundTripMs);
    if (!this.#roundTripWarned && estimate.smoothedMs >= this.intervalMs / 2) {
      this.#roundTripWarned = true;
      this.#logger.warn("heartbeat.interval-near-round-trip", {
        intervalMs: this.intervalMs,
        roundTripMs: estimate.smoothedMs,
        advice: "raise the heartbeat interval (and the failure timeout) well above the round trip",
      });
    } else if (this.#roundTripWarned && estimate.smoothedMs < this.intervalMs / 4) {
      this.#roundTripWarned = false;
    }
    return estimate;
  }

  #schedule(cycle: number, delayMs: number): void {
    this.#cancel = this.#scheduler.after(delayMs, () => {
      if (cycle !== this.#cycle) return;
      this.#beats++;
      this.#beat();
      if (cycle === this.#cycle) this.#schedule(cycle, this.#nextDelayMs());
    });
  }

  #nextDelayMs(): number {
    if (this.#random === undefined || this.jitterMs === 0) return this.intervalMs;
    return this.intervalMs + (this.#random.float() * 2 - 1) * this.jitterMs;
  }
}
