import fc from "fast-check";
import { lamportCounterMax, type LamportTimestamp } from "../src/index.ts";

/** Valid node ids, including "" (no node) and ids that are prefixes of others. */
export const arbitraryNodeId: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom("", "athens", "athens-2", "byzantium", "a", "ab", "B", "10.0.0.1:7000"),
  fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,12}$/),
);

/** Timestamps that often share counters, so ties broken by node id get exercised. */
export const arbitraryTimestamp: fc.Arbitrary<LamportTimestamp> = fc.record({
  counter: fc.oneof(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: lamportCounterMax })),
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

/** A vector clock kept by the tests to know which events happened before which. */
export type VectorClock = readonly number[];

/** Whether `a` happened before `b`: a ≤ b everywhere and a ≠ b. */
export function happenedBefore(a: VectorClock, b: VectorClock): boolean {
  let strictly = false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    if (x > y) return false;
    if (x < y) strictly = true;
  }
  return strictly;
}

/** The element-wise maximum of two vector clocks. */
export function mergeVectors(a: VectorClock, b: VectorClock): number[] {
  return a.map((x, i) => Math.max(x, b[i] ?? 0));
}
