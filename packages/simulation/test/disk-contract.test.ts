import type { Disk } from "@pods/core-interfaces";
import {
  diskContractCases,
  diskCrashContractCases,
  Simulation,
  type CrashMode,
  type CrashableDisk,
} from "@pods/simulation";
import { describe, it } from "vitest";

/** Runs `body` inside a fresh simulation whose one node's disk is the subject. */
async function onFreshDisk(
  seed: number,
  crashMode: CrashMode,
  body: (subject: CrashableDisk) => Promise<void>,
): Promise<void> {
  const sim = new Simulation({ seed });
  const node = sim.addNode("athens", { boot: ({ env }): Disk => env.disk, disk: { crashMode } });
  const disk = await node.ready();
  const subject: CrashableDisk = {
    disk,
    crash: async () => {
      node.crash();
      return node.restart();
    },
  };
  await sim.runUntilSettled([sim.spawn("contract case", () => body(subject))]);
}

describe("SimDisk passes the shared Disk contract", () => {
  for (const contractCase of diskContractCases) {
    it(contractCase.name, async () => {
      await onFreshDisk(1, "prefix", (subject) => contractCase.run(subject.disk));
    });
  }
});

describe("SimDisk passes the durability contract, over many crash outcomes", () => {
  for (const crashMode of ["prefix", "any"] as const) {
    for (const contractCase of diskCrashContractCases) {
      it(`${contractCase.name} (crash mode ${crashMode}, 40 seeds)`, async () => {
        for (let seed = 1; seed <= 40; seed++) {
          await onFreshDisk(seed, crashMode, (subject) => contractCase.run(subject));
        }
      });
    }
  }
});
