import { InvalidArgumentError, type Clock } from "@pods/core-interfaces";
import { ClockUnsafeError } from "./errors.ts";
import { msOption, requiredMs, requireMethod } from "./options.ts";

/**
 * The default {@link ClockBoundOptions.errorBoundMsMax}: 250 ms. Two clocks each within 250 ms of
 * true time are within 500 ms of each other, the default `maxOffsetMs` of `@pods/hybrid-clock`.
 */
export const defaultErrorBoundMsMax = 250;

/**
 * A dynamic error bound, in ms, read on every {@link ClockBound.now}: what the time daemon
 * reports now (see {@link timeDaemonErrorBoundMs}), including the drift it allows for since its
 * last synchronisation. It must not throw; a value that is not a finite number ≥ 0 makes the clock
 * unusable ({@link ClockUnsafeError}).
 */
export type ErrorBoundSource = () => number;

/**
 * The current time as an interval guaranteed (as long as the error bound holds) to contain true
 * time: `earliestMs ≤ true time ≤ latestMs`, in ms since the Unix epoch.
 */
export interface ClockInterval {
  /** The earliest true time can be: the wall clock minus the error bound. */
  readonly earliestMs: number;
  /** The latest true time can be: the wall clock plus the error bound. */
  readonly latestMs: number;
  /** The error bound used, in ms (half the interval's width). */
  readonly errorBoundMs: number;
}

/** Options of {@link ClockBound}. */
export interface ClockBoundOptions {
  /** The clock port; `wallMs()` gives the reading, `monotonicMs()` measures waits. */
  readonly clock: Clock;
  /**
   * How far the wall clock may be from true time, in ms: a fixed number (a finite number ≥ 0), or
   * an {@link ErrorBoundSource} read on every `now()`. Required: it depends on how the clock is
   * synchronised, so no default is safe.
   */
  readonly errorBoundMs: number | ErrorBoundSource;
  /**
   * The largest error bound the clock may have and still be used, in ms; a larger one makes
   * `now()` throw {@link ClockUnsafeError}. A finite number ≥ 0. Default
   * {@link defaultErrorBoundMsMax} (250).
   */
  readonly errorBoundMsMax?: number;
}

/**
 * A clock with an error bound: `now()` returns an interval [earliest, latest] that contains true
 * time, as long as the wall clock is within the bound of true time. A timestamp below `earliest`
 * is in the past on every clock in the cluster whose bound holds; one above `latest` is in the
 * future on all of them.
 *
 * The bound is fixed, or read from a source such as a time daemon's report. A bound above
 * `errorBoundMsMax` means the clock cannot be trusted: `now()` then throws
 * {@link ClockUnsafeError} rather than return a uselessly wide (or dishonest) interval.
 */
export class ClockBound {
  /** The clock port read by {@link ClockBound.now}. */
  readonly clock: Clock;
  /** The largest error bound accepted, in ms. */
  readonly errorBoundMsMax: number;
  readonly #errorBound: number | ErrorBoundSource;

  /**
   * @param options - the clock, its error bound and the largest bound accepted.
   * @throws `InvalidArgumentError` for a bad option, or a fixed bound above `errorBoundMsMax`.
   */
  constructor(options: ClockBoundOptions) {
    requireMethod(options.clock, "wallMs", "ClockBound options.clock");
    requireMethod(options.clock, "monotonicMs", "ClockBound options.clock");
    this.clock = options.clock;
    this.errorBoundMsMax = msOption(
      options.errorBoundMsMax,
      defaultErrorBoundMsMax,
      "errorBoundMsMax",
    );
    const errorBound = options.errorBoundMs;
    if (typeof errorBound === "number") {
      requiredMs(errorBound, "errorBoundMs");
      if (errorBound > this.errorBoundMsMax) {
        throw new InvalidArgumentError(
          `errorBoundMs (${errorBound}) is above errorBoundMsMax (${this.errorBoundMsMax}); ` +
            "a clock that uncertain would refuse every operation. Raise errorBoundMsMax or " +
            "synchronise the clock better.",
        );
      }
    } else if (typeof errorBound !== "function") {
      throw new InvalidArgumentError(
        "ClockBound needs errorBoundMs: a number of ms >= 0, or a function returning one.",
      );
    }
    this.#errorBound = errorBound;
  }

  /**
   * The current time as an interval [earliest, latest] around the wall clock.
   *
   * @throws {@link ClockUnsafeError} (`reason` `"error-bound"`) when the bound is above
   *   `errorBoundMsMax`, or the source returned something that is not a finite number ≥ 0.
   */
  now(): ClockInterval {
    const errorBoundMs =
      typeof this.#errorBound === "number" ? this.#errorBound : this.#errorBound();
    if (
      typeof errorBoundMs !== "number" ||
      !(errorBoundMs >= 0 && errorBoundMs <= this.errorBoundMsMax)
    ) {
      throw new ClockUnsafeError("error-bound", errorBoundMs, this.errorBoundMsMax);
    }
    const wallMs = this.clock.wallMs();
    return { earliestMs: wallMs - errorBoundMs, latestMs: wallMs + errorBoundMs, errorBoundMs };
  }

  /**
   * Whether `timeMs` is certainly in the past: `timeMs < earliest`.
   *
   * @throws {@link ClockUnsafeError} as {@link ClockBound.now}.
   */
  isBefore(timeMs: number): boolean {
    return timeMs < this.now().earliestMs;
  }

  /**
   * Whether `timeMs` is certainly in the future: `timeMs > latest`.
   *
   * @throws {@link ClockUnsafeError} as {@link ClockBound.now}.
   */
  isAfter(timeMs: number): boolean {
    return timeMs > this.now().latestMs;
  }
}

/** What an NTP-style time daemon reports about its synchronisation (e.g. `chronyc tracking`). */
export interface TimeDaemonReport {
  /** The estimated offset of the local clock from the reference, in ms (either sign). */
  readonly offsetMs: number;
  /** The root dispersion: the error accumulated along the path to the reference, in ms. */
  readonly dispersionMs: number;
  /** The root delay: the round trip to the reference, in ms. */
  readonly rootDelayMs: number;
}

/**
 * The error bound a time daemon's report implies: |offset| + dispersion + root delay / 2, in ms —
 * the usual bound on how far the local clock can be from true time.
 *
 * @throws `InvalidArgumentError` when a field is not finite, or the dispersion or delay is
 *   negative.
 */
export function timeDaemonErrorBoundMs(report: TimeDaemonReport): number {
  const { offsetMs, dispersionMs, rootDelayMs } = report;
  if (!Number.isFinite(offsetMs)) {
    throw new InvalidArgumentError(`offsetMs must be a finite number, got ${String(offsetMs)}.`);
  }
  requiredMs(dispersionMs, "dispersionMs");
  requiredMs(rootDelayMs, "rootDelayMs");
  return Math.abs(offsetMs) + dispersionMs + rootDelayMs / 2;
}
