import { assertIntRange, InvalidArgumentError, type Random } from "@pods/core-interfaces";

const twoPow32 = 4294967296;
const twoPow53 = 9007199254740992;

/** One step of splitmix32 on `state`; returns the next state and a well-mixed 32-bit output. */
function splitmix32(state: number): [next: number, output: number] {
  const next = (state + 0x9e3779b9) | 0;
  let z = next;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return [next, (z ^ (z >>> 16)) >>> 0];
}

/** Hashes `label` into a 32-bit value, keyed by `key` (murmur-style mixing). */
function hashLabel(label: string, key: number): number {
  let h = key ^ Math.imul(label.length, 0x27d4eb2f);
  for (let index = 0; index < label.length; index++) {
    h = Math.imul(h ^ label.charCodeAt(index), 0x5bd1e995);
    h ^= h >>> 15;
  }
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

function rotl(value: number, bits: number): number {
  return (value << bits) | (value >>> (32 - bits));
}

/**
 * A fast, seedable pseudo-random generator (xoshiro128**, its 128-bit state filled by splitmix32
 * from a 64-bit key) implementing the `Random` port. The same seed always gives the same
 * sequence, on every platform.
 *
 * {@link SeededRandom.fork} derives an independent stream from this stream's key and a label,
 * without consuming values from this stream: give each subsystem (each node, the network, each
 * disk) its own fork, so that drawing more numbers in one never changes what the others draw.
 */
export class SeededRandom implements Random {
  /** The seed of the root stream this one descends from. */
  readonly seed: number;
  #path = "";
  #keyLow: number;
  #keyHigh: number;
  #s0 = 0;
  #s1 = 0;
  #s2 = 0;
  #s3 = 0;

  /**
   * @param seed - a safe integer ≥ 0.
   * @throws `InvalidArgumentError` for any other seed.
   */
  constructor(seed: number) {
    if (!Number.isSafeInteger(seed) || seed < 0) {
      throw new InvalidArgumentError(
        `seed must be a safe integer >= 0, got ${seed}; use the number printed by the failing run.`,
      );
    }
    this.seed = seed;
    this.#keyLow = seed >>> 0;
    this.#keyHigh = Math.floor(seed / twoPow32) >>> 0;
    this.#fillState();
  }

  /** The fork labels from the root to this stream, joined by `/` (`""` for the root). */
  get path(): string {
    return this.#path;
  }

  #fillState(): void {
    let low = this.#keyLow | 0;
    let high = (this.#keyHigh ^ 0x6a09e667) | 0;
    let output: number;
    [low, output] = splitmix32(low);
    this.#s0 = output;
    [high, output] = splitmix32(high);
    this.#s1 = output;
    [, output] = splitmix32(low);
    this.#s2 = output;
    [, output] = splitmix32(high);
    this.#s3 = output;
    // xoshiro's all-zero state is a fixed point; splitmix32 makes it practically unreachable.
    if ((this.#s0 | this.#s1 | this.#s2 | this.#s3) === 0) this.#s0 = 1;
  }

  /**
   * An independent stream derived from this stream's seed key and `label` (not from its current
   * position, so forking consumes nothing): forking the same label twice gives the same stream.
   */
  fork(label: string): SeededRandom {
    const child = new SeededRandom(this.seed);
    child.#path = this.#path === "" ? label : `${this.#path}/${label}`;
    child.#keyLow = hashLabel(label, this.#keyLow ^ 0x9e3779b9);
    child.#keyHigh = hashLabel(label, this.#keyHigh ^ 0x7f4a7c15 ^ child.#keyLow);
    child.#fillState();
    return child;
  }

  /** A uniformly distributed 32-bit unsigned integer. */
  uint32(): number {
    const s1 = this.#s1;
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    this.#s2 ^= this.#s0;
    this.#s3 ^= this.#s1;
    this.#s1 ^= this.#s2;
    this.#s0 ^= this.#s3;
    this.#s2 ^= t;
    this.#s3 = rotl(this.#s3, 11);
    return result;
  }
  /** A number drawn uniformly from [0, 1), with 53 random bits. */
  float(): number {
    const high = this.uint32() >>> 5;
    const low = this.uint32() >>> 6;
    return (high * 67108864 + low) / twoPow53;
  }

  /**
   * An integer drawn uniformly (without modulo bias) from [minInclusive, maxExclusive).
   *
   * @throws `InvalidArgumentError` unless both are safe integers with min < max.
   */
  int(minInclusive: number, maxExclusive: number): number {
    assertIntRange(minInclusive, maxExclusive);
    const range = maxExclusive - minInclusive;
    if (range <= twoPow32) {
      const limit = twoPow32 - (twoPow32 % range);
      for (;;) {
        const value = this.uint32();
        if (value < limit) return minInclusive + (value % range);
      }
    }
    const limit = twoPow53 - (twoPow53 % range);
    for (;;) {
      const value = (this.uint32() >>> 5) * 67108864 + (this.uint32() >>> 6);
      if (value < limit) return minInclusive + (value % range);
    }
  }

  /**
   * True with probability `probability` (0 never, 1 always; no number is drawn for 0).
   *
   * @throws `InvalidArgumentError` unless `probability` is in [0, 1].
   */
  chance(probability: number): boolean {
    if (!(probability >= 0 && probability <= 1)) {
      throw new InvalidArgumentError(`a probability must be in [0, 1], got ${probability}.`);
    }
    return probability > 0 && this.float() < probability;
  }

  /**
   * A uniformly chosen element of `items`.
   *
   * @throws `InvalidArgumentError` when `items` is empty.
   */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new InvalidArgumentError("pick() needs a non-empty array.");
    return items[this.int(0, items.length)] as T;
  }
}
