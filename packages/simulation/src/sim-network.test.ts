import {
  ClosedError,
  DecodeError,
  InvalidArgumentError,
  UnreachableError,
  type Codec,
  type Transport,
} from "@pods/core-interfaces";
import { describe, expect, it } from "vitest";
import type { NetworkOptions } from "./network-options.ts";
import { Simulation } from "./simulation.ts";

interface Message {
  type: string;
  n: number;
  note?: string;
}

interface Received {
  readonly from: string;
  readonly message: Message;
  readonly atMs: number;
}

const ids = ["athens", "byzantium", "cyrene"] as const;

async function world(network: NetworkOptions<Message> = {}, seed = 1) {
  const sim = new Simulation<Message>({ seed, network });
  const received = new Map<string, Received[]>(ids.map((id) => [id, []]));
  for (const id of ids) {
    sim.addNode(id, {
      boot: ({ transport }) => {
        transport.onMessage((from, message) => {
          received.get(id)?.push({ from, message, atMs: sim.now });
        });
        return transport;
      },
    });
  }
  await Promise.all(ids.map((id) => sim.node(id).ready()));
  const send = (from: string, to: string, message: Message): void => {
    sim.node(from).transport.send(to, message);
  };
  const inbox = (id: string): Received[] => received.get(id) ?? [];
  return { sim, send, inbox };
}

describe("SimNetwork delivery", () => {
  it("delivers after a latency within the configured range (default 1–5 ms)", async () => {
    const { sim, send, inbox } = await world();
    for (let n = 0; n < 50; n++) send("athens", "byzantium", { type: "ping", n });
    await sim.runFor(10);
    const arrivals = inbox("byzantium").map((entry) => entry.atMs);
    expect(arrivals).toHaveLength(50);
    expect(Math.min(...arrivals)).toBeGreaterThanOrEqual(1);
    expect(Math.max(...arrivals)).toBeLessThanOrEqual(5);
    expect(sim.network.stats).toMatchObject({ sent: 50, delivered: 50, inFlight: 0 });
  });

  it("reorders through jitter, unless fifo keeps each link in send order", async () => {
    const order = async (fifo: boolean): Promise<number[]> => {
      const { sim, send, inbox } = await world({ fifo, latency: { minMs: 1, maxMs: 50 } });
      for (let n = 0; n < 100; n++) send("athens", "byzantium", { type: "seq", n });
      await sim.runFor(100);
      return inbox("byzantium").map((entry) => entry.message.n);
    };
    const sent = Array.from({ length: 100 }, (_, n) => n);
    const jittered = await order(false);
    expect([...jittered].sort((a, b) => a - b)).toEqual(sent);
    expect(jittered).not.toEqual(sent);
    expect(await order(true)).toEqual(sent);
  });

  it("loses messages at the loss rate and counts them", async () => {
    const { sim, send, inbox } = await world({ lossRate: 0.3 });
    for (let n = 0; n < 1_000; n++) send("athens", "byzantium", { type: "ping", n });
    await sim.runFor(10);
    const { dropped, delivered, sent } = sim.network.stats;
    expect(sent).toBe(1_000);
    expect(delivered + dropped.loss).toBe(1_000);
    expect(dropped.loss).toBeGreaterThan(230);
    expect(dropped.loss).toBeLessThan(370);
    expect(inbox("byzantium")).toHaveLength(delivered);
  });

  it("duplicates at the duplicate rate, each copy its own object", async () => {
    const { sim, send, inbox } = await world({ duplicateRate: 1 });
    send("athens", "byzantium", { type: "ping", n: 1 });
    await sim.runFor(10);
    const copies = inbox("byzantium");
    expect(copies).toHaveLength(2);
    expect(copies[0]?.message).toEqual(copies[1]?.message);
    expect(copies[0]?.message).not.toBe(copies[1]?.message);
    expect(sim.network.stats.duplicated).toBe(1);
  });

  it("copies at send: the sender may reuse its object, the receiver gets its own", async () => {
    const { sim, send, inbox } = await world();
    const message = { type: "ping", n: 1 };
    send("athens", "byzantium", message);
    message.n = 2;
    await sim.runFor(10);
    expect(inbox("byzantium")[0]?.message).toEqual({ type: "ping", n: 1 });
    expect(() => {
      send("athens", "byzantium", { type: "bad", n: 1, note: (() => "x") as unknown as string });
    }).toThrow(InvalidArgumentError);
  });

  it("sends through a codec when given one, proving every message serialisable", async () => {
    let encoded = 0;
    const codec: Codec<Message> = {
      encode: (value) => {
        encoded++;
        if (value.n < 0) throw new InvalidArgumentError("negative n cannot be encoded");
        return new TextEncoder().encode(JSON.stringify(value));
      },
      decode: (bytes) => {
        try {
          return JSON.parse(new TextDecoder().decode(bytes)) as Message;
        } catch (error) {
          throw new DecodeError(String(error));
        }
      },
    };
    const { sim, send, inbox } = await world({ codec, duplicateRate: 1 });
    send("athens", "byzantium", { type: "ping", n: 3 });
    await sim.runFor(10);
    expect(encoded).toBe(1);
    expect(inbox("byzantium").map((entry) => entry.message)).toEqual([
      { type: "ping", n: 3 },
      { type: "ping", n: 3 },
    ]);
    expect(() => {
      send("athens", "byzantium", { type: "ping", n: -1 });
    }).toThrow(/negative n/);
  });

  it("draws latency from a function when given one", async () => {
    const { sim, send, inbox } = await world({
      latency: ({ to }) => (to === "cyrene" ? 40 : 2),
    });
    send("athens", "cyrene", { type: "far", n: 1 });
    send("athens", "byzantium", { type: "near", n: 1 });
    await sim.runFor(100);
    expect(inbox("cyrene")[0]?.atMs).toBe(40);
    expect(inbox("byzantium")[0]?.atMs).toBe(2);
    const bad = await world({ latency: () => -1 });
    expect(() => {
      bad.send("athens", "byzantium", { type: "x", n: 1 });
    }).toThrow(InvalidArgumentError);
  });

  it("rejects unknown destinations, sends after close, and bad options", async () => {
    const { sim, send, inbox } = await world();
    expect(() => {
      send("athens", "rome", { type: "x", n: 1 });
    }).toThrow(/unknown node "rome"/);
    send("athens", "byzantium", { type: "in-flight", n: 1 });
    await sim.node("byzantium").transport.close();
    expect(() => {
      send("byzantium", "athens", { type: "x", n: 1 });
    }).toThrow(ClosedError);
    await sim.runFor(10);
    expect(inbox("byzantium")).toHaveLength(0);
    expect(sim.network.stats.dropped.closed).toBe(1);
    expect(() => new Simulation({ seed: 1, network: { latency: { minMs: 5, maxMs: 1 } } })).toThrow(
      InvalidArgumentError,
    );
    expect(() => new Simulation({ seed: 1, network: { inFlightMax: 0 } })).toThrow(
      InvalidArgumentError,
    );
    expect(() => {
      sim.network.setLossRate(-0.1);
    }).toThrow(InvalidArgumentError);
    expect(() => {
      sim.network.setDuplicateRate(1.1);
    }).toThrow(InvalidArgumentError);
  });

  it("runs handlers in registration order; unregistered handlers stop; no handler drops", async () => {
    const sim = new Simulation<Message>({ seed: 1 });
    const calls: string[] = [];
    let transport!: Transport<Message>;
    sim.addNode("athens", { boot: () => undefined });
    sim.addNode("byzantium", {
      boot: (context) => {
        transport = context.transport;
      },
    });
    await sim.node("byzantium").ready();
    const off = transport.onMessage(() => calls.push("first"));
    transport.onMessage(() => calls.push("second"));
    sim.node("athens").transport.send("byzantium", { type: "a", n: 1 });
    await sim.runFor(10);
    off();
    sim.node("athens").transport.send("byzantium", { type: "b", n: 2 });
    await sim.runFor(10);
    expect(calls).toEqual(["first", "second", "second"]);
    sim.node("byzantium").transport.send("athens", { type: "c", n: 3 });
    await sim.runFor(10);
    expect(sim.network.stats.dropped["no-handler"]).toBe(1);
  });

  it("fails the run when a handler throws", async () => {
    const sim = new Simulation<Message>({ seed: 5 });
    sim.addNode("athens", { boot: () => undefined });
    sim.addNode("byzantium", {
      boot: ({ transport }) => {
        transport.onMessage(() => {
          throw new Error("handler bug");
        });
      },
    });
    await sim.node("byzantium").ready();
    sim.node("athens").transport.send("byzantium", { type: "x", n: 1 });
    await expect(sim.runFor(10)).rejects.toThrow(
      /a message handler of byzantium#1 failed: handler bug[\s\S]*PODS_SEED=5/,
    );
  });

  it("drops beyond inFlightMax as overflow", async () => {
    const { sim, send } = await world({ inFlightMax: 3 });
    for (let n = 0; n < 5; n++) send("athens", "byzantium", { type: "x", n });
    expect(sim.network.stats.inFlight).toBe(3);
    expect(sim.network.stats.dropped.overflow).toBe(2);
  });
});

describe("SimNetwork faults", () => {
  it("a two-way partition drops both directions, spares links inside each group, and heals", async () => {
    const { sim, send, inbox } = await world();
    const heal = sim.network.partition(["athens"], ["byzantium", "cyrene"]);
    send("athens", "byzantium", { type: "x", n: 1 });
    send("cyrene", "athens", { type: "x", n: 2 });
    send("byzantium", "cyrene", { type: "x", n: 3 });
    await sim.runFor(10);
    expect(inbox("byzantium")).toHaveLength(0);
    expect(inbox("athens")).toHaveLength(0);
    expect(inbox("cyrene")).toHaveLength(1);
    expect(sim.network.stats.dropped["link-blocked"]).toBe(2);
    heal();
    send("athens", "byzantium", { type: "x", n: 4 });
    await sim.runFor(10);
    expect(inbox("byzantium")).toHaveLength(1);
    expect(() => sim.network.partition(["athens"], ["athens"])).toThrow(/disjoint/);
  });

  it("a one-way block drops one direction only, silently or with an immediate error", async () => {
    const { sim, send, inbox } = await world();
    sim.network.blockLink("athens", "byzantium");
    send("athens", "byzantium", { type: "x", n: 1 });
    send("byzantium", "athens", { type: "x", n: 2 });
    await sim.runFor(10);
    expect(inbox("byzantium")).toHaveLength(0);
    expect(inbox("athens")).toHaveLength(1);
    sim.network.blockLink("athens", "cyrene", { mode: "refuse" });
    expect(sim.network.linkBlock("athens", "cyrene")).toBe("refuse");
    expect(() => {
      send("athens", "cyrene", { type: "x", n: 3 });
    }).toThrow(UnreachableError);
    expect(sim.network.stats.refused).toBe(1);
    sim.network.healLink("athens", "byzantium");
    send("athens", "byzantium", { type: "x", n: 4 });
    await sim.runFor(10);
    expect(inbox("byzantium")).toHaveLength(1);
  });

  it("isolate cuts a node off from everyone until heal()", async () => {
    const { sim, send, inbox } = await world();
    sim.network.isolate("cyrene");
    send("cyrene", "athens", { type: "x", n: 1 });
    send("byzantium", "cyrene", { type: "x", n: 2 });
    send("athens", "byzantium", { type: "x", n: 3 });
    await sim.runFor(10);
    expect([inbox("athens").length, inbox("byzantium").length, inbox("cyrene").length]).toEqual([
      0, 1, 0,
    ]);
    sim.network.heal();
    send("cyrene", "athens", { type: "x", n: 4 });
    await sim.runFor(10);
    expect(inbox("athens")).toHaveLength(1);
  });

  it("a cut link drops the messages still in flight on it", async () => {
    const { sim, send, inbox } = await world({ latency: { minMs: 10, maxMs: 10 } });
    send("athens", "byzantium", { type: "x", n: 1 });
    await sim.runFor(5);
    const heal = sim.network.partition(["athens"], ["byzantium"]);
    await sim.runFor(10);
    expect(inbox("byzantium")).toHaveLength(0);
    expect(sim.network.stats.dropped["link-cut-in-flight"]).toBe(1);
    heal();
  });

  it("drop-after-N lets the first N matching messages through, then drops", async () => {
    const { sim, send, inbox } = await world();
    sim.network.dropAfter(3, { type: "append", to: "byzantium" });
    for (let n = 0; n < 6; n++) send("athens", "byzantium", { type: "append", n });
    send("athens", "byzantium", { type: "vote", n: 99 });
    send("athens", "cyrene", { type: "append", n: 100 });
    await sim.runFor(10);
    const appends = inbox("byzantium").filter((entry) => entry.message.type === "append");
    expect(appends.map((entry) => entry.message.n).sort()).toEqual([0, 1, 2]);
    expect(inbox("byzantium").some((entry) => entry.message.type === "vote")).toBe(true);
    expect(inbox("cyrene")).toHaveLength(1);
    expect(sim.network.stats.dropped.rule).toBe(3);
  });

  it("delay by message type and by link", async () => {
    const { sim, send, inbox } = await world({ latency: { minMs: 1, maxMs: 1 } });
    sim.network.delayType("heartbeat", 100);
    sim.network.addRule({ from: "athens", to: "cyrene", action: { kind: "delay", extraMs: 50 } });
    send("athens", "byzantium", { type: "heartbeat", n: 1 });
    send("athens", "byzantium", { type: "vote", n: 2 });
    send("athens", "cyrene", { type: "vote", n: 3 });
    await sim.runFor(200);
    const at = (id: string, type: string): number | undefined =>
      inbox(id).find((entry) => entry.message.type === type)?.atMs;
    expect(at("byzantium", "heartbeat")).toBe(101);
    expect(at("byzantium", "vote")).toBe(1);
    expect(at("cyrene", "vote")).toBe(51);
  });

  it("duplicate and refuse rules, predicate matching, and removing a rule", async () => {
    const { sim, send, inbox } = await world();
    const removeDuplicate = sim.network.addRule({
      type: ["ping", "pong"],
      action: { kind: "duplicate", copies: 2 },
    });
    sim.network.addRule({
      name: "no odd votes",
      match: (message) => message.type === "vote" && message.n % 2 === 1,
      action: { kind: "refuse" },
    });
    send("athens", "byzantium", { type: "ping", n: 1 });
    expect(() => {
      send("athens", "byzantium", { type: "vote", n: 1 });
    }).toThrow(/refused by network rule "no odd votes"/);
    send("athens", "byzantium", { type: "vote", n: 2 });
    await sim.runFor(10);
    expect(inbox("byzantium").map((entry) => entry.message.type)).toEqual(
      expect.arrayContaining(["ping", "ping", "ping", "vote"]),
    );
    expect(inbox("byzantium")).toHaveLength(4);
    removeDuplicate();
    send("athens", "byzantium", { type: "ping", n: 2 });
    await sim.runFor(10);
    expect(inbox("byzantium")).toHaveLength(5);
    expect(() => sim.network.addRule({ action: { kind: "duplicate", copies: 0 } })).toThrow(
      InvalidArgumentError,
    );
    expect(() => sim.network.addRule({ afterCount: -1, action: { kind: "drop" } })).toThrow(
      InvalidArgumentError,
    );
    expect(() => sim.network.addRule({ action: { kind: "delay", extraMs: -5 } })).toThrow(
      InvalidArgumentError,
    );
  });

  it("drops messages to a crashed node, including those in flight when it crashed", async () => {
    const { sim, send, inbox } = await world({ latency: { minMs: 10, maxMs: 10 } });
    send("athens", "byzantium", { type: "x", n: 1 });
    await sim.runFor(5);
    sim.node("byzantium").crash();
    send("athens", "byzantium", { type: "x", n: 2 });
    await sim.node("byzantium").restart();
    await sim.runFor(20);
    expect(inbox("byzantium")).toHaveLength(0);
    expect(sim.network.stats.dropped["destination-down"]).toBe(2);
    send("athens", "byzantium", { type: "x", n: 3 });
    await sim.runFor(20);
    expect(inbox("byzantium")).toHaveLength(1);
  });

  it("drops what a crashed incarnation's leftover code still sends", async () => {
    const { sim, inbox } = await world();
    const old = sim.node("athens").transport;
    sim.node("athens").crash();
    old.send("byzantium", { type: "ghost", n: 1 });
    await sim.runFor(10);
    expect(inbox("byzantium")).toHaveLength(0);
    expect(sim.network.stats.dropped["sender-down"]).toBe(1);
  });
});
