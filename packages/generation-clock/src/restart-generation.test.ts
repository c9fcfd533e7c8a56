import { describe, expect, it } from "vitest";
import { oneNode, settle } from "../test/sim-node.ts";
import { nextRestartGeneration } from "./restart-generation.ts";

describe("nextRestartGeneration", () => {
  it("counts every start, durably, across crashes", async () => {
    const { sim, node } = await oneNode();
    expect(await settle(sim, nextRestartGeneration({ disk: node.instance.disk }))).toBe(1);
    for (let start = 2; start <= 4; start++) {
      node.crash();
      const env = await node.restart();
      expect(await settle(sim, nextRestartGeneration({ disk: env.disk }))).toBe(start);
    }
    expect(
      await settle(sim, nextRestartGeneration({ disk: node.instance.disk, path: "other" })),
    ).toBe(1);
  });
});
