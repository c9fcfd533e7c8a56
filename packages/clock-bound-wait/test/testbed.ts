import type { Clock, Env } from "@pods/core-interfaces";
import { HybridClock, type HybridTimestamp } from "@pods/hybrid-clock";
import { Simulation, type SimNode } from "@pods/simulation";
import { VersionedStore } from "@pods/versioned-value";
import { hybridVersions } from "../src/index.ts";

// Small worlds for unit tests: simulated nodes whose wall clocks start at readable numbers, so
// that virtual time and the waits it drives can be checked exactly.

/** One simulated node's ports, and the node for clock faults (`node.clock.jumpWall`). */
export interface TestNode {
  readonly env: Env;
  readonly node: SimNode<never, Env>;
}

/** Clock settings of a test node. */
export interface TestNodeOptions {
  readonly offsetMs?: number;
  readonly driftPpm?: number;
}

/**
 * A simulation whose true wall time starts at `epochMs` (default 1000), with one node per entry
 * of `nodes`. Promises made by test code advance when passed to `sim.runUntilSettled`.
 */
export async function testbed<const Ids extends string>(
  nodes: Record<Ids, TestNodeOptions>,
  epochMs = 1000,
): Promise<{ sim: Simulation<never>; nodes: Record<Ids, TestNode> }> {
  const sim = new Simulation<never>({ seed: 1, epochMs });
  const result = {} as Record<Ids, TestNode>;
  for (const [id, clock] of Object.entries(nodes) as [Ids, TestNodeOptions][]) {
    const node = sim.addNode<Env>(id, { clock, boot: ({ env }) => env });
    result[id] = { env: await node.ready(), node };
  }
  return { sim, nodes: result };
}

/** A clock whose wall reading is whatever the test sets. */
export class FixedClock implements Clock {
  constructor(
    public wall: number,
    public monotonic = 0,
  ) {}
  wallMs(): number {
    return this.wall;
  }
  monotonicMs(): number {
    return this.monotonic;
  }
}

/** A versioned store whose versions are hybrid timestamps. */
export type HybridStore<V = string> = VersionedStore<V, HybridTimestamp>;

/** A store of strings (or `V`) versioned by hybrid timestamps. */
export function hybridStore<V = string>(): HybridStore<V> {
  return new VersionedStore<V, HybridTimestamp>({ versions: hybridVersions });
}

/** A hybrid clock on `clock` with a node id. */
export function hybridClock(clock: Clock, nodeId: string, maxOffsetMs = 500): HybridClock {
  return new HybridClock({ clock, nodeId, maxOffsetMs });
}

/** Awaits `promise` and returns what it rejected with (failing if it resolved). */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected the promise to reject");
}
