import { randomFillSync } from "node:crypto";
import { assertIntRange, InvalidArgumentError, type Random } from "@pods/core-interfaces";

/** Options of {@link createCryptoRandom}. */
export interface CryptoRandomOptions {
  /**
   * Bytes fetched from the operating system's generator at a time; draws are served from this pool
   * so most cost no system call. A multiple of 8 from 8 to 65536. Default 4096.
   */
  readonly poolBytes?: number;
}

/** Fills `bytes` with random bytes. */
export type RandomFill = (bytes: Uint8Array) => void;

const two32 = 2 ** 32;
const two53 = 2 ** 53;
const two64 = 2n ** 64n;

/**
 * A `Random` drawing from `node:crypto`'s generator (the operating system's entropy), through
 * a pool of random bytes refilled when used up. `float()` has 53 random bits; `int()` is exactly
 * uniform (rejection sampling, no modulo bias) over any range of safe integers.
 *
 * Not seedable, so runs do not replay: use the simulation's seeded random for that. Not meant for
 * cryptography either (the pool lives in ordinary memory).
 *
 * @throws `InvalidArgumentError` when `poolBytes` is not a multiple of 8 from 8 to 65536.
 */
export function createCryptoRandom(options: CryptoRandomOptions = {}): Random {
  return new PooledRandom(randomFillSync, options.poolBytes ?? 4096);
}

/** The random behind {@link createCryptoRandom}, on any source of random bytes. */
export class PooledRandom implements Random {
  readonly #fill: RandomFill;
  readonly #pool: Uint32Array;
  #next: number;

  /**
   * @param fill - the source of random bytes.
   * @param poolBytes - how many bytes to fetch at a time.
   */
  constructor(fill: RandomFill, poolBytes: number) {
    if (!Number.isSafeInteger(poolBytes) || poolBytes < 8 || poolBytes > 65536 || poolBytes % 8) {
      throw new InvalidArgumentError(
        `createCryptoRandom: poolBytes must be a multiple of 8 from 8 to 65536, got ${poolBytes}.`,
      );
    }
    this.#fill = fill;
    this.#pool = new Uint32Array(poolBytes / 4);
    this.#next = this.#pool.length;
  }

  float(): number {
    return this.#uint53() / two53;
  }

  int(minInclusive: number, maxExclusive: number): number {
    assertIntRange(minInclusive, maxExclusive);
    // Exact while below 2^53; a wider span (only between a negative and a positive bound) goes
    // through BigInt, as it may not be representable as a double.
    const span = maxExclusive - minInclusive;
    if (span <= two32) return minInclusive + this.#below32(span);
    if (span < two53) return minInclusive + this.#below53(span);
    return Number(
      BigInt(minInclusive) + this.#belowBig(BigInt(maxExclusive) - BigInt(minInclusive)),
    );
  }

  #uint32(): number {
    if (this.#next === this.#pool.length) {
      this.#fill(new Uint8Array(this.#pool.buffer));
      this.#next = 0;
    }
    return this.#pool[this.#next++] as number;
  }

  #uint53(): number {
    return (this.#uint32() >>> 11) * two32 + this.#uint32();
  }

  // Each draw below rejects the top part of its range that would make some results more likely
  // (the remainder of the range divided by span), then reduces modulo span.

  #below32(span: number): number {
    const limit = two32 - (two32 % span);
    for (;;) {
      const draw = this.#uint32();
      if (draw < limit) return draw % span;
    }
  }

  #below53(span: number): number {
    const limit = two53 - (two53 % span);
    for (;;) {
      const draw = this.#uint53();
      if (draw < limit) return draw % span;
    }
  }

  #belowBig(span: bigint): bigint {
    const limit = two64 - (two64 % span);
    for (;;) {
      const draw = (BigInt(this.#uint32()) << 32n) | BigInt(this.#uint32());
      if (draw < limit) return draw % span;
    }
  }
}
