import fc from "fast-check";
import { hybridLogicalMax, hybridWallMsMax, type HybridTimestamp } from "../src/index.ts";

/** Valid node ids, including "" (no node) and ids that are prefixes of others. */
export const arbitraryNodeId: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom("", "athens", "athens-2", "byzantium", "a", "ab", "B", "10.0.0.1:7000"),
  fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,12}$/),
);

/** Timestamps that often share parts, so ties on wall, logical and node id all get exercised. */
export const arbitraryTimestamp: fc.Arbitrary<HybridTimestamp> = fc.record({
  wallMs: fc.oneof(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: hybridWallMsMax })),
  logical: fc.oneof(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: hybridLogicalMax })),
  nodeId: arbitraryNodeId,
});

/** Compares byte strings as memcmp does, a shorter prefix first. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const difference = (a[i] ?? 0) - (b[i] ?? 0);
    if (difference !== 0) return difference;
  }
  return a.length - b.length;
}

/** A wall clock the test sets by hand (monotonic time follows it but never goes back). */
export class ManualClock {
  /** The wall reading, ms since the epoch. */
  wall: number;
  #monotonic = 0;

  constructor(wall: number) {
    this.wall = wall;
  }

  wallMs(): number {
    return this.wall;
  }

  monotonicMs(): number {
    return this.#monotonic;
  }

  /** Moves the wall clock by `deltaMs` (either way) and monotonic time forward by |deltaMs|. */
  advance(deltaMs: number): void {
    this.wall += deltaMs;
    this.#monotonic += Math.abs(deltaMs);
  }
}
