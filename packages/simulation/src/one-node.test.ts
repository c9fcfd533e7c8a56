import { describe, expect, it } from "vitest";
import { runOnOneNode } from "./one-node.ts";
import { SimulationError } from "./simulation-error.ts";

describe("runOnOneNode", () => {
  it("runs a task on athens in virtual time and returns its value", async () => {
    const result = await runOnOneNode(async ({ sim, node, env }) => {
      const file = await env().disk.open("data", { create: true });
      await file.write(0, new Uint8Array([7]));
      await file.sync();
      await file.close();
      await sim.sleep(5_000);
      return { id: node.id, now: sim.now, durable: node.disk.readRaw("data").durable };
    });
    expect(result.id).toBe("athens");
    expect(result.now).toBeGreaterThanOrEqual(5_000);
    expect([...result.durable]).toEqual([7]);
  });

  it("gives the env of the current incarnation after a restart, on the disk asked for", async () => {
    const renewed = await runOnOneNode(
      async ({ node, env }) => {
        const before = env();
        node.crash();
        await node.restart();
        return env() !== before && env() === node.env;
      },
      { seed: 3 },
    );
    expect(renewed).toBe(true);
    const failingSync = runOnOneNode(
      async ({ env }) => {
        const file = await env().disk.open("data", { create: true });
        await file.sync();
      },
      { disk: { syncErrorRate: 1 } },
    );
    await expect(failingSync).rejects.toThrow(/sync/);
  });

  it("fails with a SimulationError naming the task's error, or a task that outlives timeoutMs", async () => {
    const failed = runOnOneNode(() => Promise.reject(new RangeError("from the task")));
    await expect(failed).rejects.toBeInstanceOf(SimulationError);
    await expect(failed).rejects.toThrow(/task "task" failed: from the task/);
    await expect(
      runOnOneNode(({ sim }) => sim.sleep(10_000), { timeoutMs: 1_000 }),
    ).rejects.toBeInstanceOf(SimulationError);
  });
});
