import { InvalidArgumentError } from "@pods/core-interfaces";

/** Clock settings of a node. */
export interface SimClockOptions {
  /** How far the node's wall clock is ahead of true time at the start (negative: behind), ms. Default 0. */
  readonly offsetMs?: number;
  /**
   * How fast the node's clocks run, in parts per million: +100 gains 0.1 ms per second of true
   * time, -100 loses it. Between -500000 and 500000. Default 0.
   */
  readonly driftPpm?: number;
}

/** The largest |drift| accepted, in ppm (the clock runs at half or one and a half speed). */
export const driftPpmMax = 500_000;

function assertDriftPpm(driftPpm: number): void {
  if (!Number.isFinite(driftPpm) || Math.abs(driftPpm) > driftPpmMax) {
    throw new InvalidArgumentError(
      `driftPpm must be a finite number between -${driftPpmMax} and ${driftPpmMax}, got ${driftPpm}.`,
    );
  }
}

function assertFiniteMs(value: number, what: string): void {
  if (!Number.isFinite(value)) {
    throw new InvalidArgumentError(
      `${what} must be a finite number of milliseconds, got ${value}.`,
    );
  }
}

/**
 * A node's hardware clock, controlled by the test. It survives restarts (it belongs to the
 * machine, not the process).
 *
 * The node's local time runs at `1 + driftPpm / 1e6` times the speed of true (virtual) time:
 * `local = localAtRebase + (now − nowAtRebase) × rate`. Monotonic readings of an incarnation are
 * local time since the incarnation booted (they start at 0 on every boot and never go back). Wall
 * readings are `epoch + local + wall offset`; {@link SimClock.jumpWall} moves only the wall clock,
 * either way.
 */
export class SimClock {
  readonly #now: () => number;
  readonly #epochMs: number;
  readonly #onRateChange: () => void;
  #rate: number;
  #driftPpm: number;
  #localAtRebase = 0;
  #nowAtRebase: number;
  #wallOffsetMs: number;

  /** @internal */
  constructor(
    now: () => number,
    epochMs: number,
    options: SimClockOptions,
    onRateChange: () => void,
  ) {
    const driftPpm = options.driftPpm ?? 0;
    const offsetMs = options.offsetMs ?? 0;
    assertDriftPpm(driftPpm);
    assertFiniteMs(offsetMs, "offsetMs");
    this.#now = now;
    this.#epochMs = epochMs;
    this.#onRateChange = onRateChange;
    this.#driftPpm = driftPpm;
    this.#rate = 1 + driftPpm / 1e6;
    this.#nowAtRebase = now();
    this.#wallOffsetMs = offsetMs;
  }

  /** The current drift, in ppm. */
  get driftPpm(): number {
    return this.#driftPpm;
  }

  /** How fast local time runs relative to true time (`1 + driftPpm / 1e6`). */
  get rate(): number {
    return this.#rate;
  }

  /** The node's local time: milliseconds its oscillator has counted since the node was added. */
  localMs(): number {
    return this.#localAtRebase + (this.#now() - this.#nowAtRebase) * this.#rate;
  }

  /** The node's wall clock reading, in milliseconds since the Unix epoch. */
  wallMs(): number {
    return this.#epochMs + this.localMs() + this.#wallOffsetMs;
  }

  /** How far this wall clock is ahead of true wall time right now (negative: behind), in ms. */
  wallErrorMs(): number {
    return this.wallMs() - (this.#epochMs + this.#now());
  }

  /** The true virtual time at which local time reaches `localMs` at the current rate. */
  trueTimeAt(localMs: number): number {
    return this.#nowAtRebase + (localMs - this.#localAtRebase) / this.#rate;
  }

  /**
   * Steps the wall clock by `deltaMs` (negative: backwards), as NTP or an operator might.
   * Monotonic readings and timers are not affected.
   */
  jumpWall(deltaMs: number): void {
    assertFiniteMs(deltaMs, "deltaMs");
    this.#wallOffsetMs += deltaMs;
  }

  /**
   * Changes the drift from now on. Pending timers of the node are re-timed so they still fire
   * after their delay in the node's local time.
   */
  setDriftPpm(driftPpm: number): void {
    assertDriftPpm(driftPpm);
    this.#localAtRebase = this.localMs();
    this.#nowAtRebase = this.#now();
    this.#driftPpm = driftPpm;
    this.#rate = 1 + driftPpm / 1e6;
    this.#onRateChange();
  }
}
