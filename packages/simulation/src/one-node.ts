import type { Env } from "@pods/core-interfaces";
import type { SimDiskOptions } from "./disk-options.ts";
import type { SimNode } from "./sim-node.ts";
import { Simulation } from "./simulation.ts";

/** What a task run by {@link runOnOneNode} gets. */
export interface OneNodeContext {
  /** The simulation: its clock, its seed, `runFor` to let virtual time pass. */
  readonly sim: Simulation;
  /** The node, "athens": crash and restart it, reach its disk (`node.disk`) for faults. */
  readonly node: SimNode<unknown, Env>;
  /** The env of the node's current incarnation (a new one after each restart). */
  readonly env: () => Env;
}

/** Options of {@link runOnOneNode}. */
export interface OneNodeOptions {
  /** The simulation's seed. Default 1. */
  readonly seed?: number;
  /** The node's disk. Default: the defaults of {@link SimDiskOptions}. */
  readonly disk?: SimDiskOptions;
  /** Virtual time the task may take, ms. Default 60 000 (as for `runUntilSettled`). */
  readonly timeoutMs?: number;
}

/**
 * Runs `task` inside a one-node simulation — node "athens", whose program is only its env — and
 * drives virtual time until the task settles: the shape of a unit test of disk-backed code (a log,
 * a snapshot store, a persisted clock) that wants the simulated disk, its faults and its crashes
 * without a cluster.
 *
 * @returns the task's value.
 * @throws `SimulationError` when the task throws (the message and `cause` carry its error) or
 *   outlives `timeoutMs`.
 */
export async function runOnOneNode<T>(
  task: (context: OneNodeContext) => Promise<T>,
  options: OneNodeOptions = {},
): Promise<T> {
  const sim = new Simulation({ seed: options.seed ?? 1 });
  const node = sim.addNode("athens", {
    boot: ({ env }): Env => env,
    ...(options.disk === undefined ? {} : { disk: options.disk }),
  });
  await node.ready();
  const context: OneNodeContext = { sim, node, env: () => node.env };
  const [value] = await sim.runUntilSettled(
    [sim.spawn("task", () => task(context))],
    options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs },
  );
  return value;
}
