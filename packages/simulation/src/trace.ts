import { InvalidArgumentError } from "@pods/core-interfaces";

/** Options of a {@link Trace}. */
export interface TraceOptions {
  /** Keep every line (memory grows with the run). Default `false`: only the hash and the tail. */
  readonly recordLines?: boolean;
  /** How many of the latest lines to keep for failure reports. Default 50. */
  readonly tailLines?: number;
}

/**
 * The record of everything that happened in a simulation, as text lines (`"12.500 deliver #7
 * athens->byzantium vote"`), folded into a running 64-bit hash. Two runs with the same seed give the
 * same lines and hash; the first differing line shows where two runs diverged.
 */
export class Trace {
  #hashHigh = 0x811c9dc5;
  #hashLow = 0x01000193 ^ 0x5bd1e995;
  #count = 0;
  readonly #tail: string[];
  #tailNext = 0;
  readonly #lines: string[] | undefined;

  /** @param options - what to keep besides the hash. */
  constructor(options: TraceOptions = {}) {
    const tailLines = options.tailLines ?? 50;
    if (!Number.isSafeInteger(tailLines) || tailLines < 0) {
      throw new InvalidArgumentError(`tailLines must be an integer >= 0, got ${tailLines}.`);
    }
    this.#tail = new Array<string>(tailLines);
    this.#lines = options.recordLines === true ? [] : undefined;
  }

  /** Appends one line (time first) and folds it into the hash. */
  add(timeMs: number, text: string): void {
    const line = `${timeMs.toFixed(3)} ${text}`;
    let high = this.#hashHigh;
    let low = this.#hashLow;
    for (let index = 0; index < line.length; index++) {
      const code = line.charCodeAt(index);
      high = Math.imul(high ^ code, 0x01000193);
      low = Math.imul(low ^ code, 0x5bd1e995);
      low ^= low >>> 13;
    }
    this.#hashHigh = Math.imul(high ^ 0x0a, 0x01000193);
    this.#hashLow = Math.imul(low ^ high, 0x5bd1e995);
    this.#count++;
    if (this.#tail.length > 0) {
      this.#tail[this.#tailNext] = line;
      this.#tailNext = (this.#tailNext + 1) % this.#tail.length;
    }
    this.#lines?.push(line);
  }

  /** The running hash of every line so far, as 16 hex digits. */
  get hash(): string {
    const hex = (value: number): string => (value >>> 0).toString(16).padStart(8, "0");
    return hex(this.#hashHigh) + hex(this.#hashLow);
  }

  /** How many lines were added. */
  get count(): number {
    return this.#count;
  }

  /** Whether every line is kept. */
  get recordsLines(): boolean {
    return this.#lines !== undefined;
  }

  /** Every line, oldest first; only when created with `recordLines`. */
  get lines(): readonly string[] {
    if (this.#lines === undefined) {
      throw new InvalidArgumentError(
        "this trace keeps only its hash and tail; create the simulation with recordTrace: true.",
      );
    }
    return this.#lines;
  }

  /** The latest lines (up to `tailLines`), oldest first. */
  tail(): string[] {
    const size = this.#tail.length;
    const kept = Math.min(this.#count, size);
    const result: string[] = [];
    for (let index = 0; index < kept; index++) {
      result.push(this.#tail[(this.#tailNext - kept + index + size) % size] as string);
    }
    return result;
  }
}
