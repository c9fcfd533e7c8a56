import { TimeoutError, type NodeId } from "@pods/core-interfaces";
import { Simulation } from "@pods/simulation";
import { describe, expect, it } from "vitest";
import {
  MajorityTracker,
  NoQuorumError,
  QuorumCollector,
  RequestWaitingList,
  type QuorumAnswers,
  type RequestCallback,
} from "../src/index.ts";

// The acceptance scenarios of PATTERNS.md, "12. Request Waiting List", one test each.

const replicas = ["athens", "byzantium", "cyrene"] as const;

type Message =
  | { type: "write"; id: string; value: number }
  | { type: "ack"; id: string }
  | { type: "refuse"; id: string; reason: string };

/** A callback that records what the client heard, and when. */
function client(sim: Simulation<Message>) {
  const heard: { outcome: "ok" | "error"; value: unknown; atMs: number }[] = [];
  const callback: RequestCallback<QuorumAnswers<Message>> = {
    onComplete: (value) => heard.push({ outcome: "ok", value, atMs: sim.now }),
    onFailure: (value) => heard.push({ outcome: "error", value, atMs: sim.now }),
  };
  return { heard, callback };
}

/**
 * Three replicas; athens coordinates: it sends the write to every replica (itself included) and
 * parks the client in its waiting list until a majority answers. `refusing` replicas refuse.
 */
async function cluster(sim: Simulation<Message>, refusing: readonly NodeId[] = []) {
  const coordinator = sim.addNode("athens", {
    boot: ({ env, transport }) => {
      const list = new RequestWaitingList<string, Message, QuorumAnswers<Message>>({
        clock: env.clock,
        scheduler: env.scheduler,
        timeoutMs: 5_000,
      });
      transport.onMessage((from, message) => {
        if (message.type === "ack") list.handleResponse(message.id, message, from);
        if (message.type === "refuse")
          list.handleError(message.id, new Error(message.reason), from);
        if (message.type === "write") transport.send(from, { type: "ack", id: message.id });
      });
      const write = (
        id: string,
        value: number,
        callback: RequestCallback<QuorumAnswers<Message>>,
      ) => {
        list.add(id, callback, {
          collector: new QuorumCollector(new MajorityTracker([...replicas])),
        });
        for (const replica of replicas) {
          list.trySend(id, replica, () => transport.send(replica, { type: "write", id, value }));
        }
      };
      return { list, write };
    },
  });
  for (const id of replicas.slice(1)) {
    sim.addNode(id, {
      boot: ({ transport }) =>
        transport.onMessage((from, message) => {
          if (message.type !== "write") return;
          transport.send(
            from,
            refusing.includes(id)
              ? { type: "refuse", id: message.id, reason: `${id} is out of disk space` }
              : { type: "ack", id: message.id },
          );
        }),
    });
  }
  await coordinator.ready();
  return coordinator.instance;
}

describe("request-waiting-list, book scenarios", () => {
  it("quorum-answers-once", async () => {
    const sim = new Simulation<Message>({ seed: 1, network: { latency: { minMs: 5, maxMs: 10 } } });
    const athens = await cluster(sim);
    sim.network.addRule({ from: "cyrene", to: "athens", action: { kind: "delay", extraMs: 200 } });
    const { heard, callback } = client(sim);
    athens.write("w1", 42, callback);
    await sim.runFor(100);
    expect(heard).toHaveLength(1); // athens and byzantium answered: a majority
    expect(heard[0]?.outcome).toBe("ok");
    const answers = heard[0]?.value as QuorumAnswers<Message>;
    expect([...answers.responses.keys()].sort()).toEqual(["athens", "byzantium"]);
    await sim.runFor(500); // cyrene's late answer arrives
    expect(heard).toHaveLength(1);
    expect(athens.list.metrics).toMatchObject({ pending: 0, completed: 1, ignoredResponses: 1 });
  });

  it("expiry-boundary", async () => {
    const sim = new Simulation<never>({ seed: 1 });
    const list = new RequestWaitingList<string, string>({
      clock: sim.clock,
      scheduler: sim.scheduler,
      timeoutMs: 900,
    });
    const heard: unknown[] = [];
    const createdMs = 137;
    sim.at(createdMs, "add the request", () =>
      list.add("r", { onComplete: (v) => heard.push(v), onFailure: (e) => heard.push(e) }),
    );
    await sim.runFor(createdMs + 890);
    expect(heard).toEqual([]);
    expect(list.has("r")).toBe(true);
    await sim.runFor(10); // now T + 900
    expect(sim.now).toBe(createdMs + 900);
    expect(heard).toHaveLength(1);
    expect(heard[0]).toBeInstanceOf(TimeoutError);
    expect((heard[0] as TimeoutError).outcome).toBe("indefinite");
    expect(list.size).toBe(0);
  });

  it("unknown-key-ignored", () => {
    const sim = new Simulation<never>({ seed: 1 });
    const list = new RequestWaitingList<number, string>({
      clock: sim.clock,
      scheduler: sim.scheduler,
    });
    const heard: unknown[] = [];
    list.add(1, { onComplete: (v) => heard.push(v), onFailure: (e) => heard.push(e) });
    expect(list.handleResponse(99, "for nobody")).toBe(false);
    expect(list.handleResponse(1, "answer")).toBe(true);
    expect(list.handleResponse(1, "again")).toBe(false); // settled
    expect(list.handleError(1, new Error("late error"))).toBe(false);
    expect(heard).toEqual(["answer"]);
    expect(list.metrics).toMatchObject({ ignoredResponses: 3, completed: 1, pending: 0 });
  });

  it("majority-errors-fail-fast", async () => {
    const sim = new Simulation<Message>({ seed: 1, network: { latency: { minMs: 5, maxMs: 10 } } });
    const athens = await cluster(sim, ["byzantium"]);
    sim.network.blockLink("athens", "cyrene", { mode: "refuse" }); // the send fails at once
    const { heard, callback } = client(sim);
    const startMs = sim.now;
    athens.write("w1", 42, callback);
    await sim.runFor(5_000);
    expect(heard).toHaveLength(1);
    expect(heard[0]?.value).toBeInstanceOf(NoQuorumError);
    expect(heard[0]?.atMs).toBeLessThanOrEqual(startMs + 20); // one round trip, not the timeout
    const failures = (heard[0]?.value as NoQuorumError).failures;
    expect([...failures.keys()].sort()).toEqual(["byzantium", "cyrene"]);
  });

  it("prefix-completion", () => {
    const sim = new Simulation<never>({ seed: 1 });
    const list = new RequestWaitingList<number, string>({
      clock: sim.clock,
      scheduler: sim.scheduler,
      keyedBy: "index",
    });
    const completed: string[] = [];
    for (const index of [3, 4, 5, 7]) {
      list.add(index, {
        onComplete: (v) => completed.push(v),
        onFailure: (e) => completed.push(String(e)),
      });
    }
    list.completeUpTo(5, (index) => `applied ${index}`); // the high-water mark reaches 5
    expect(completed).toEqual(["applied 3", "applied 4", "applied 5"]);
    expect(list.has(7)).toBe(true);
    expect(list.lowestPendingKey).toBe(7);
  });

  it("scale", async () => {
    const sim = new Simulation<never>({ seed: 1 });
    const tickMs = 10;
    const list = new RequestWaitingList<number, number>({
      clock: sim.clock,
      scheduler: sim.scheduler,
      tickMs,
      pendingMax: 100_000,
    });
    const count = 100_000;
    const deadlines = new Float64Array(count);
    const expiredAt = new Float64Array(count).fill(-1);
    let latenessMax = 0;
    for (let key = 0; key < count; key++) {
      const timeoutMs = 100 + sim.random.int(0, 10_000);
      deadlines[key] = sim.now + timeoutMs;
      list.add(
        key,
        {
          onComplete: () => undefined,
          onFailure: () => {
            expiredAt[key] = sim.now;
            latenessMax = Math.max(latenessMax, sim.now - (deadlines[key] as number));
          },
        },
        { timeoutMs },
      );
    }
    // Half of them are answered before their deadline and never cost the wheel anything.
    for (let key = 0; key < count; key += 2) list.handleResponse(key, key);

    await sim.runFor(1_000);
    // Expiry work so far: the entries that expired plus at most one bucket per tick passed.
    const early = list.metrics;
    expect(early.expired).toBeGreaterThan(0);
    expect(early.expired).toBeLessThan(count / 10);
    expect(early.expiryBucketsVisited).toBeLessThanOrEqual(1_000 / tickMs + 1);
    expect(early.expiryPasses).toBeLessThanOrEqual(1_000 / tickMs + 1);

    await sim.runFor(11_000);
    expect(list.size).toBe(0);
    expect(list.metrics.expired).toBe(count / 2);
    for (let key = 1; key < count; key += 2) {
      expect(expiredAt[key]).toBeGreaterThanOrEqual(deadlines[key] as number);
    }
    expect(latenessMax).toBeLessThan(tickMs); // each within one wheel tick of its deadline
    expect(list.metrics.expiryPasses).toBeLessThanOrEqual(10_100 / tickMs + 1);
  }, 60_000);
});
