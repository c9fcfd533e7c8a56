import type { Env } from "@pods/core-interfaces";
import { Simulation, type SimDiskOptions, type SimNode } from "@pods/simulation";
import type { RecordInput } from "../src/index.ts";

/** What a test running inside a simulated node gets. */
export interface SimContext {
  readonly sim: Simulation;
  readonly node: SimNode<unknown, Env>;
  /** The env of the node's current incarnation. */
  readonly env: () => Env;
}

/**
 * Runs `test` as a task inside a one-node simulation (node "athens", whose boot returns its env),
 * driving virtual time until it settles.
 */
export async function inSimulation<T>(
  seed: number,
  test: (context: SimContext) => Promise<T>,
  disk: SimDiskOptions = {},
): Promise<T> {
  const sim = new Simulation({ seed });
  const node = sim.addNode("athens", { boot: ({ env }) => env, disk });
  await node.ready();
  const context: SimContext = { sim, node, env: () => node.env };
  const [value] = await sim.runUntilSettled([sim.spawn("test", () => test(context))], {
    timeoutMs: 10_000_000,
  });
  return value;
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
