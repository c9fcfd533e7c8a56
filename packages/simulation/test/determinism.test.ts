import { IOError, UnreachableError, type Env, type Transport } from "@pods/core-interfaces";
import { History, nodeNames, Simulation } from "@pods/simulation";
import { describe, expect, it } from "vitest";

type Message = { type: "heartbeat" | "ack"; counter: number };

const ids = nodeNames.slice(0, 5);

/** A small gossiping, persisting protocol: enough moving parts for every fault to matter. */
async function bootGossiper(id: string, env: Env, transport: Transport<Message>) {
  const peers = ids.filter((peer) => peer !== id);
  const trySend = (to: string, message: Message): void => {
    try {
      transport.send(to, message);
    } catch (error) {
      if (!(error instanceof UnreachableError)) throw error;
      env.logger.warn("send.refused", { to });
    }
  };
  await env.disk.mkdir("state");
  const file = await env.disk.open("state/counter", { create: true });
  const stored = await file.read(0, 4);
  let counter = stored.length === 4 ? new DataView(stored.buffer).getUint32(0) : 0;
  env.logger.info("booted", { counter, wallMs: env.clock.wallMs() });
  transport.onMessage((from, message) => {
    if (message.type === "heartbeat") trySend(from, { type: "ack", counter });
  });
  let persisting = false;
  const persist = async (): Promise<void> => {
    persisting = true;
    try {
      const bytes = new Uint8Array(4);
      new DataView(bytes.buffer).setUint32(0, counter);
      await file.write(0, bytes);
      await file.sync();
    } catch (error) {
      if (!(error instanceof IOError)) throw error;
      env.logger.warn("persist.failed", { operation: error.operation });
    } finally {
      persisting = false;
    }
  };
  const tick = (): void => {
    counter++;
    trySend(peers[env.random.int(0, peers.length)]!, { type: "heartbeat", counter });
    if (!persisting) void persist();
    env.logger.debug("tick", {
      counter,
      wallMs: env.clock.wallMs(),
      monoMs: env.clock.monotonicMs(),
    });
    env.scheduler.after(env.random.int(10, 30), tick);
  };
  tick();
  return { counter: () => counter };
}

/** Runs the scenario with every kind of fault; returns what determinism is judged on. */
async function scenario(seed: number, recordTrace: boolean) {
  const sim = new Simulation<Message>({
    seed,
    recordTrace,
    network: { lossRate: 0.05, duplicateRate: 0.05, latency: { minMs: 1, maxMs: 20 } },
  });
  const [athens] = ids.map((id, index) =>
    sim.addNode(id, {
      boot: ({ env, transport }) => bootGossiper(id, env, transport),
      clock: { offsetMs: (index - 2) * 150, driftPpm: (index - 2) * 200 },
      disk: { crashMode: index % 2 === 0 ? "prefix" : "any" },
    }),
  );
  const pick = (): string => sim.random.pick(ids);
  const faults: ((atMs: number) => void)[] = [
    (at) => {
      const heal = sim.network.partition(ids.slice(0, 2), ids.slice(2));
      sim.at(at + 60, "heal partition", heal);
    },
    () => sim.network.blockLink(pick(), pick(), { mode: "refuse" }),
    () => sim.network.isolate(pick()),
    () => sim.network.heal(),
    () => sim.network.dropAfter(3, { type: "ack" }),
    () => sim.network.delayType("heartbeat", 25),
    () => sim.network.addRule({ to: pick(), action: { kind: "duplicate", copies: 2 } }),
    (at) => {
      const node = sim.node(pick());
      node.crash();
      sim.at(at + 40, `restart ${node.id}`, () => {
        if (!node.isUp) void node.restart();
      });
    },
    (at) => {
      const node = sim.node(pick());
      node.pause();
      sim.at(at + 70, `resume ${node.id}`, () => {
        node.resume();
      });
    },
    () => sim.node(pick()).clock.jumpWall(sim.random.int(-5_000, 5_000)),
    () => sim.node(pick()).clock.setDriftPpm(sim.random.int(-2_000, 2_000)),
    () => sim.node(pick()).disk.failNext(sim.random.pick(["write", "sync"] as const)),
  ];
  for (let atMs = 100; atMs < 1_900; atMs += 50) {
    const fault = sim.random.pick(faults);
    sim.at(atMs, `fault at ${atMs}`, () => {
      fault(atMs);
    });
  }
  const history = new History<{ op: "read" }, { value: number }>();
  const client = sim.spawn("client", async () => {
    for (let n = 0; n < 20; n++) {
      await sim.sleep(90);
      const operation = history.invoke("reader", { op: "read" });
      if (athens!.isBooted) operation.ok({ value: athens!.instance.counter() });
      else operation.indeterminate();
    }
  });
  await sim.runUntilSettled([client]);
  await sim.runFor(2_000 - sim.now);
  return {
    hash: sim.traceHash,
    lines: recordTrace ? [...sim.traceLines] : [],
    stats: sim.network.stats,
    history: JSON.stringify(history.toHistoryFile("counter")),
  };
}

describe("determinism", () => {
  it("the same seed gives the same trace, line for line, under every kind of fault", async () => {
    const first = await scenario(20260101, true);
    const second = await scenario(20260101, true);
    expect(first.lines.length).toBeGreaterThan(2_000);
    expect(second.lines).toEqual(first.lines);
    expect(second.hash).toBe(first.hash);
    expect(second.history).toBe(first.history);
    const kinds = new Set(first.lines.map((line) => line.split(" ")[1]));
    for (const kind of [
      "send",
      "deliver",
      "drop",
      "timer",
      "disk",
      "crash",
      "boot",
      "pause",
      "resume",
      "fault",
      "log",
    ]) {
      expect(kinds, `the scenario exercises "${kind}"`).toContain(kind);
    }
    expect(first.stats.duplicated).toBeGreaterThan(0);
    expect(first.stats.refused + first.stats.dropped["link-blocked"]).toBeGreaterThan(0);
  });

  it("recording the lines does not change the hash; different seeds give different runs", async () => {
    const recorded = await scenario(7, true);
    const hashed = await scenario(7, false);
    expect(hashed.hash).toBe(recorded.hash);
    const other = await scenario(8, false);
    expect(other.hash).not.toBe(recorded.hash);
  });
});
