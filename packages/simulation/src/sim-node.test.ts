import { InvalidArgumentError, type Cancel, type DiskFile } from "@pods/core-interfaces";
import { describe, expect, it } from "vitest";
import { Simulation } from "./simulation.ts";

interface Message {
  type: string;
  n: number;
}

const encode = (text: string): Uint8Array => new TextEncoder().encode(text);
const decode = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

async function readAll(file: DiskFile): Promise<string> {
  return decode(await file.read(0, await file.size()));
}

describe("SimNode crash and restart", () => {
  it("a crash ends timers, handlers and pending disk operations; a restart boots on the surviving disk", async () => {
    const sim = new Simulation<Message>({ seed: 3 });
    const events: string[] = [];
    const athens = sim.addNode("athens", {
      boot: async ({ env, transport, incarnation }) => {
        transport.onMessage((_from, message) => events.push(`#${incarnation} got ${message.type}`));
        env.scheduler.after(100, () => events.push(`#${incarnation} timer`));
        const file = await env.disk.open("state", { create: true });
        return { file, content: await readAll(file) };
      },
    });
    const byzantium = sim.addNode("byzantium", { boot: ({ transport }) => transport });
    const first = await athens.ready();
    expect(first.content).toBe("");
    expect(athens.incarnation).toBe(1);
    await sim.runUntilSettled([
      sim.spawn("writes", async () => {
        await first.file.write(0, encode("synced"));
        await first.file.sync();
        await first.file.write(6, encode("+tail"));
      }),
    ]);
    let lateSyncSettled = false;
    void first.file.sync().finally(() => (lateSyncSettled = true));
    athens.crash();
    expect(athens.isUp).toBe(false);
    expect(() => athens.instance).toThrow(/it is down/);
    expect(() => athens.env).toThrow(InvalidArgumentError);
    byzantium.instance.send("athens", { type: "while-down", n: 1 });
    await sim.runFor(500);
    expect(events).toEqual([]);
    expect(lateSyncSettled).toBe(false);
    let oldWriteSettled = false;
    void first.file.write(0, encode("ghost")).finally(() => (oldWriteSettled = true));
    const second = await athens.restart();
    expect(athens.incarnation).toBe(2);
    expect(["synced", "synced+tail"]).toContain(second.content);
    byzantium.instance.send("athens", { type: "hello", n: 2 });
    await sim.runFor(200);
    expect(events).toEqual(["#2 got hello", "#2 timer"]);
    expect(oldWriteSettled).toBe(false);
    expect(athens.disk.readRaw("state").current.subarray(0, 6)).toEqual(encode("synced"));
  });

  it("a process-only crash keeps completed writes (still unsynced); a power loss may not", async () => {
    const sim = new Simulation({ seed: 4 });
    const node = sim.addNode("athens", {
      boot: ({ env }) => env.disk.open("log", { create: true }),
    });
    const file = await node.ready();
    await sim.runUntilSettled([file.write(0, new Uint8Array(4096).fill(7))]);
    node.crash({ powerLoss: false });
    const reopened = await node.restart();
    expect(await sim.runUntilSettled([reopened.size()])).toEqual([4096]);
    expect(node.disk.readRaw("log").unsyncedChanges).toBe(1);
  });

  it("restart while up, ready while down, and crash while down are handled", async () => {
    const sim = new Simulation({ seed: 1 });
    const node = sim.addNode("athens", { boot: () => "program" });
    await expect(node.ready()).resolves.toBe("program");
    await expect(node.restart()).rejects.toThrow(/crash it before restarting/);
    node.crash();
    node.crash();
    await expect(node.ready()).rejects.toThrow(/is down/);
    await expect(node.restart()).resolves.toBe("program");
    expect(node.isBooted).toBe(true);
    expect(sim.nodes.map((candidate) => candidate.id)).toEqual(["athens"]);
  });

  it("a crash during an async boot rejects ready(); a later restart boots normally", async () => {
    const sim = new Simulation({ seed: 1 });
    const node = sim.addNode("athens", {
      boot: async ({ env }) => {
        await env.disk.mkdir("data");
        return "booted";
      },
    });
    const ready = node.ready();
    node.crash();
    await expect(ready).rejects.toThrow(/crashed before its boot finished/);
    await expect(node.restart()).resolves.toBe("booted");
  });

  it("a boot that throws fails the run", async () => {
    const sim = new Simulation({ seed: 21 });
    sim.addNode("athens", {
      boot: () => {
        throw new Error("corrupt state");
      },
    });
    await expect(sim.runFor(1)).rejects.toThrow(/boot of athens#1 failed: corrupt state/);
  });

  it("records log events in the trace and in node.logs, with child fields", async () => {
    const sim = new Simulation({ seed: 1, recordTrace: true, logRecordsMax: 2 });
    const node = sim.addNode("athens", {
      boot: ({ env }) => {
        const logger = env.logger.child({ term: 3 });
        logger.info("election.won", { votes: 2 });
        logger.debug("tick");
        logger.warn("slow", { bytes: new Uint8Array(3), big: 5n });
      },
    });
    await node.ready();
    expect(sim.traceLines).toContain('0.000 log athens#1 info election.won {"term":3,"votes":2}');
    expect(sim.traceLines).toContain(
      '0.000 log athens#1 warn slow {"term":3,"bytes":"<3 bytes>","big":"5n"}',
    );
    expect(node.logs.map((record) => record.event)).toEqual(["tick", "slow"]);
    expect(node.logs[1]).toMatchObject({ node: "athens", incarnation: 1, level: "warn" });
  });
});

describe("SimNode pause and resume", () => {
  it("a paused node runs nothing while its clocks run on, then handles its backlog in arrival order", async () => {
    const sim = new Simulation<Message>({ seed: 1, network: { latency: { minMs: 2, maxMs: 2 } } });
    const handled: string[] = [];
    const athens = sim.addNode("athens", {
      boot: ({ env, transport }) => {
        transport.onMessage((_from, message) => handled.push(`msg ${message.n} at ${sim.now}`));
        env.scheduler.after(10, () => handled.push(`timer 10 at ${sim.now}`));
        env.scheduler.after(30, () => handled.push(`timer 30 at ${sim.now}`));
        return env;
      },
    });
    const byzantium = sim.addNode("byzantium", { boot: ({ transport }) => transport });
    await athens.ready();
    const env = athens.env;
    await sim.runFor(5);
    athens.pause();
    expect(athens.isPaused).toBe(true);
    byzantium.instance.send("athens", { type: "m", n: 1 });
    sim.at(20, "second message", () => {
      byzantium.instance.send("athens", { type: "m", n: 2 });
    });
    await sim.runFor(45);
    expect(handled).toEqual([]);
    expect(env.clock.monotonicMs()).toBe(50);
    athens.resume();
    await sim.runFor(0);
    expect(handled).toEqual(["msg 1 at 50", "timer 10 at 50", "msg 2 at 50", "timer 30 at 50"]);
  });

  it("holds disk completions while paused and skips timers cancelled in the backlog", async () => {
    const sim = new Simulation({ seed: 1 });
    const seen: string[] = [];
    const node = sim.addNode("athens", {
      boot: ({ env }) => {
        let cancelLater: Cancel = () => undefined;
        env.scheduler.after(10, () => {
          seen.push("first timer");
          cancelLater();
        });
        cancelLater = env.scheduler.after(12, () => seen.push("cancelled timer"));
        return env;
      },
    });
    const env = await node.ready();
    void env.disk.mkdir("data").then(() => seen.push(`mkdir resolved at ${sim.now}`));
    node.pause();
    await sim.runFor(100);
    expect(seen).toEqual([]);
    node.resume();
    await sim.runFor(1);
    expect(seen).toEqual(["mkdir resolved at 100", "first timer"]);
  });

  it("a crash while paused drops the backlog", async () => {
    const sim = new Simulation({ seed: 1 });
    let fired = 0;
    const node = sim.addNode("athens", {
      boot: ({ env }) => env.scheduler.after(10, () => fired++),
    });
    await node.ready();
    node.pause();
    await sim.runFor(20);
    node.crash();
    expect(node.isPaused).toBe(false);
    node.resume();
    await sim.runFor(20);
    expect(fired).toBe(0);
  });
});
