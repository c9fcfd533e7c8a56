import type { Env } from "@pods/core-interfaces";
import { Simulation, type SimNode } from "@pods/simulation";

// One simulated node whose boot only hands out its env: unit tests drive disk-backed code on it
// from test code, with `sim.runUntilSettled` advancing virtual time. A test fixture.

/** A simulation with one node, "athens", booted. */
export async function oneNode(seed = 1): Promise<{ sim: Simulation; node: SimNode<unknown, Env> }> {
  const sim = new Simulation({ seed });
  const node = sim.addNode("athens", { boot: ({ env }) => env });
  await node.ready();
  return { sim, node };
}

/** Runs `work` to completion in virtual time and returns its value (or throws its error). */
export async function settle<T>(sim: Simulation, work: Promise<T>): Promise<T> {
  const [value] = await sim.runUntilSettled([work]);
  return value;
}
