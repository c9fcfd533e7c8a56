import { runOnOneNode, type OneNodeContext, type SimDiskOptions } from "@pods/simulation";
import type { RecordInput } from "../src/index.ts";

/** What a test running inside the simulated node gets. */
export type SimContext = OneNodeContext;

/** Runs `test` as a task on a one-node simulation (node "athens"), driving virtual time. */
export function inSimulation<T>(
  seed: number,
  test: (context: SimContext) => Promise<T>,
  disk: SimDiskOptions = {},
): Promise<T> {
  return runOnOneNode(test, { seed, disk, timeoutMs: 10_000_000 });
}

const encoder = new TextEncoder();

/** `count` records from `firstIndex` on, with bodies `"record <index>"` padded to `bodyBytes`. */
export function makeRecords(
  firstIndex: number,
  count: number,
  options: { generation?: number; timestampMs?: number; bodyBytes?: number } = {},
): RecordInput[] {
  return Array.from({ length: count }, (_, offset) => {
    const index = firstIndex + offset;
    return {
      index,
      generation: options.generation ?? 1,
      timestampMs: options.timestampMs ?? 1_000 + index,
      body: bodyOf(index, options.bodyBytes),
    };
  });
}

/** The body `makeRecords` gives record `index`. */
export function bodyOf(index: number, bodyBytes = 0): Uint8Array {
  const text = `record ${index}`;
  return encoder.encode(text.padEnd(Math.max(bodyBytes, text.length), "."));
}

/** A body as text. */
export function text(body: Uint8Array): string {
  return new TextDecoder().decode(body);
}
