import type { NodeId } from "@pods/core-interfaces";
import type { SimNode, Simulation } from "@pods/simulation";
import { PersistentLamportClock, type PersistentLamportClockOptions } from "../src/index.ts";

/** Options of a node's clock, apart from the ports the simulation gives. */
export type ClockSettings = Omit<PersistentLamportClockOptions, "disk" | "nodeId" | "logger">;

/** Adds a node whose program is a persistent Lamport clock opened on the node's disk. */
export function addClockNode<M>(
  sim: Simulation<M>,
  id: NodeId,
  settings: ClockSettings = {},
): SimNode<M, PersistentLamportClock> {
  return sim.addNode(id, {
    boot: ({ env }) =>
      PersistentLamportClock.open({
        ...settings,
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
