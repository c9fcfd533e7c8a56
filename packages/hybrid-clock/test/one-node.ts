import type { NodeId } from "@pods/core-interfaces";
import type { SimNode, Simulation } from "@pods/simulation";
import { PersistentHybridClock, type PersistentHybridClockOptions } from "../src/index.ts";

/** Options of a node's clock, apart from the ports the simulation gives. */
export type ClockSettings = Omit<
  PersistentHybridClockOptions,
  "clock" | "disk" | "nodeId" | "logger"
>;

/** Adds a node whose program is a persistent hybrid clock opened on the node's disk and clock. */
export function addClockNode<M>(
  sim: Simulation<M>,
  id: NodeId,
  settings: ClockSettings = {},
): SimNode<M, PersistentHybridClock> {
  return sim.addNode(id, {
    boot: ({ env }) =>
      PersistentHybridClock.open({
        ...settings,
        clock: env.clock,
        disk: env.disk,
        nodeId: id,
        logger: env.logger,
      }),
  });
}

/** Settles `promise` by driving `sim`, returning its value or the error it rejected with. */
export async function outcome<T>(
  sim: Simulation<unknown>,
  promise: Promise<T>,
): Promise<T | Error> {
  const [result] = await sim.runUntilSettled([
    promise.then(
      (value) => value,
      (error: unknown) => (error instanceof Error ? error : new Error(String(error))),
    ),
  ]);
  return result;
}
