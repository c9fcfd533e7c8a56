import { TimeoutError, type NodeId } from "@pods/core-interfaces";
import { runSeeds, seedsFromEnv, Simulation } from "@pods/simulation";
import { describe, expect, it } from "vitest";
import {
  MajorityTracker,
  NoQuorumError,
  QuorumCollector,
  RequestWaitingList,
  type QuorumAnswers,
} from "../src/index.ts";

// The waiting list inside simulated clusters over many seeds: expiry under loss, duplication and
// delay; quorum writes while replicas crash and restart; pipelined proposals keyed by log index
// completed by a high-water mark. Every entry must settle exactly once, never after its expiry,
// and never complete without the condition it waits for.

/** What one client entry went through. */
interface Settlement {
  outcome: "ok" | "error";
  value: unknown;
  atMs: number;
}

function recorder(sim: { now: number }) {
  const settled = new Map<string, Settlement[]>();
  const record = (key: string, outcome: "ok" | "error", value: unknown) => {
    const list = settled.get(key) ?? [];
    list.push({ outcome, value, atMs: sim.now });
    settled.set(key, list);
  };
  const callbackFor = (key: string | number) => ({
    onComplete: (value: unknown) => record(String(key), "ok", value),
    onFailure: (error: unknown) => record(String(key), "error", error),
  });
  return { settled, callbackFor };
}

describe("request-waiting-list in simulated clusters", () => {
  it("expires under loss, duplication and delay: late replies are ignored, nothing settles twice", async () => {
    type Message = { type: "request"; id: number } | { type: "reply"; id: number };
    await runSeeds(
      seedsFromEnv({ defaultCount: 10 }),
      async (seed) => {
        const sim = new Simulation<Message>({
          seed,
          network: { lossRate: 0.1, duplicateRate: 0.2, latency: { minMs: 1, maxMs: 40 } },
        });
        sim.addNode("athens", {
          boot: ({ env, transport }) =>
            transport.onMessage((from, message) => {
              if (message.type !== "request") return;
              env.scheduler.after(env.random.int(0, 60), () =>
                transport.send(from, { type: "reply", id: message.id }),
              );
            }),
        });
        const { settled, callbackFor } = recorder(sim);
        const timeoutMs = 100;
        const tickMs = 5;
        const addedAt = new Map<string, number>();
        let lateReplies = 0;
        let list!: RequestWaitingList<number, Message>;
        const delphi = sim.addNode("delphi", {
          boot: ({ env, transport }) => {
            list = new RequestWaitingList<number, Message>({
              clock: env.clock,
              scheduler: env.scheduler,
              timeoutMs,
              tickMs,
            });
            transport.onMessage((_from, message) => {
              if (message.type !== "reply") return;
              if (!list.handleResponse(message.id, message)) lateReplies++;
            });
            const task = sim.spawn("client", async () => {
              for (let id = 0; id < 200; id++) {
                list.add(id, callbackFor(id));
                addedAt.set(String(id), sim.now);
                list.trySend(id, "athens", () => transport.send("athens", { type: "request", id }));
                await sim.sleep(env.random.int(0, 10));
              }
            });
            return { task };
          },
        });
        await delphi.ready();
        await sim.runUntilSettled([delphi.instance.task]);
        await sim.runFor(1_000);

        sim.check("every request settled exactly once", () => {
          expect(settled.size).toBe(200);
          for (const outcomes of settled.values()) expect(outcomes).toHaveLength(1);
        });
        sim.check("completions before expiry, expiries within a tick of the deadline", () => {
          for (const [key, [settlement]] of settled) {
            const deadline = (addedAt.get(key) as number) + timeoutMs;
            if (settlement?.outcome === "ok")
              expect(settlement.atMs).toBeLessThan(deadline + tickMs);
            else {
              expect(settlement?.value).toBeInstanceOf(TimeoutError);
              expect(settlement?.atMs).toBeGreaterThanOrEqual(deadline);
              expect(settlement?.atMs).toBeLessThan(deadline + tickMs);
            }
          }
        });
        sim.check("late and duplicated replies were ignored and counted", () => {
          expect(lateReplies).toBeGreaterThan(0);
          expect(list.metrics.ignoredResponses).toBe(lateReplies);
          const outcomes = [...settled.values()].map(([s]) => s?.outcome);
          expect(outcomes).toContain("ok");
          expect(outcomes).toContain("error");
          expect(list.metrics).toMatchObject({ pending: 0, failed: 0 });
        });
      },
      { file: import.meta.url },
    );
  }, 120_000);

  it("completes quorum writes only with a real majority while replicas crash and restart", async () => {
    type Message = { type: "write"; id: string } | { type: "ack"; id: string };
    const nodes = ["athens", "byzantium", "cyrene", "delphi", "ephesus"];
    const followers = nodes.slice(1);
    await runSeeds(
      seedsFromEnv({ defaultCount: 10 }),
      async (seed) => {
        const sim = new Simulation<Message>({
          seed,
          network: { latency: { minMs: 1, maxMs: 20 } },
        });
        /** Which replicas had stored each write when they acknowledged it. */
        const storedBy = new Map<string, Set<NodeId>>();
        const store = (id: string, replica: NodeId) =>
          storedBy.set(id, (storedBy.get(id) ?? new Set()).add(replica));
        for (const id of followers) {
          sim.addNode(id, {
            boot: ({ transport }) =>
              transport.onMessage((from, message) => {
                if (message.type !== "write") return;
                store(message.id, id);
                transport.send(from, { type: "ack", id: message.id });
              }),
          });
        }
        const { settled, callbackFor } = recorder(sim);
        const issuedAt = new Map<string, number>();
        const athens = sim.addNode("athens", {
          boot: ({ env, transport }) => {
            const list = new RequestWaitingList<string, Message, QuorumAnswers<Message>>({
              clock: env.clock,
              scheduler: env.scheduler,
              timeoutMs: 300,
            });
            transport.onMessage((from, message) => {
              if (message.type === "ack") list.handleResponse(message.id, message, from);
            });
            const task = sim.spawn("writer", async () => {
              for (let n = 0; n < 150; n++) {
                const id = `w${n}`;
                issuedAt.set(id, sim.now);
                list.add(id, callbackFor(id), {
                  collector: new QuorumCollector(new MajorityTracker(nodes)),
                });
                store(id, "athens");
                list.handleResponse(id, { type: "ack", id }, "athens"); // its own copy
                for (const follower of followers) {
                  list.trySend(id, follower, () => transport.send(follower, { type: "write", id }));
                }
                await sim.sleep(20);
              }
              await sim.sleep(400);
              return list;
            });
            return { task };
          },
        });
        // Crash followers at random; while three are down no majority is possible. Sends to a
        // crashed node are refused at once, so writes fail fast instead of timing out.
        const down = new Set<NodeId>();
        const crash = (id: NodeId) => {
          sim.node(id).crash();
          sim.network.blockLink("athens", id, { mode: "refuse" });
          down.add(id);
        };
        const restart = (id: NodeId) => {
          sim.network.healLink("athens", id);
          down.delete(id);
          void sim.node(id).restart();
        };
        const shuffled = [...followers].sort(() => sim.random.float() - 0.5);
        const [first, second, third] = shuffled as [NodeId, NodeId, NodeId];
        sim.at(200 + sim.random.int(0, 300), `crash ${first}`, () => crash(first));
        sim.at(800 + sim.random.int(0, 300), `crash ${second}`, () => crash(second));
        sim.at(1400, `crash ${third}`, () => crash(third));
        sim.at(2000, `restart ${third}`, () => restart(third));
        sim.at(2300, `restart ${first} and ${second}`, () => {
          restart(first);
          restart(second);
        });
        const threeDown = { fromMs: 1400, toMs: 2000 };

        await athens.ready();
        const [list] = await sim.runUntilSettled([athens.instance.task], { timeoutMs: 60_000 });

        sim.check("every write settled exactly once", () => {
          expect(settled.size).toBe(150);
          for (const outcomes of settled.values()) expect(outcomes).toHaveLength(1);
          expect(list.size).toBe(0);
        });
        sim.check("a completed write was stored by the majority that answered", () => {
          for (const [id, [settlement]] of settled) {
            if (settlement?.outcome !== "ok") continue;
            const answers = settlement.value as QuorumAnswers<Message>;
            expect(answers.responses.size).toBeGreaterThanOrEqual(3);
            for (const voter of answers.responses.keys())
              expect(storedBy.get(id)?.has(voter)).toBe(true);
          }
        });
        sim.check("with three replicas down, writes fail fast with NoQuorumError", () => {
          const during = [...settled].filter(([id]) => {
            const at = issuedAt.get(id) as number;
            return at > threeDown.fromMs && at + 300 < threeDown.toMs;
          });
          expect(during.length).toBeGreaterThan(0);
          for (const [id, [settlement]] of during) {
            expect(settlement?.value).toBeInstanceOf(NoQuorumError);
            expect(settlement?.atMs).toBe(issuedAt.get(id));
          }
        });
        sim.check("with a majority up, writes complete", () => {
          const healthy = [...settled].filter(([id]) => {
            const at = issuedAt.get(id) as number;
            return at < 150 || at > 2400;
          });
          expect(healthy.length).toBeGreaterThan(0);
          for (const [, [settlement]] of healthy) expect(settlement?.outcome).toBe("ok");
        });
      },
      { file: import.meta.url },
    );
  }, 120_000);

  it("completes pipelined proposals by high-water mark; an expired proposal is never completed later", async () => {
    type Message = { type: "append"; index: number } | { type: "ack"; matchIndex: number };
    const followers = ["byzantium", "cyrene"];
    await runSeeds(
      seedsFromEnv({ defaultCount: 10 }),
      async (seed) => {
        const sim = new Simulation<Message>({
          seed,
          network: { lossRate: 0.2, latency: { minMs: 1, maxMs: 60 } },
        });
        // Cut athens off for a while: what it proposes meanwhile expires, then commits after healing.
        sim.at(300, "isolate athens", () => sim.network.isolate("athens"));
        sim.at(300 + 200 + sim.random.int(0, 100), "heal", () => sim.network.heal());
        for (const id of followers) {
          sim.addNode(id, {
            boot: ({ transport }) => {
              const received = new Set<number>();
              let matchIndex = 0;
              transport.onMessage((from, message) => {
                if (message.type !== "append") return;
                received.add(message.index);
                while (received.has(matchIndex + 1)) matchIndex++;
                transport.send(from, { type: "ack", matchIndex });
              });
            },
          });
        }
        const { settled, callbackFor } = recorder(sim);
        const completionOrder: number[] = [];
        const highWaterMarks: { atMs: number; mark: number }[] = [{ atMs: 0, mark: 0 }];
        const athens = sim.addNode("athens", {
          boot: ({ env, transport }) => {
            const proposals = new RequestWaitingList<number, string>({
              clock: env.clock,
              scheduler: env.scheduler,
              keyedBy: "index",
              timeoutMs: 150,
            });
            const match = new Map(followers.map((id) => [id, 0]));
            let lastIndex = 0;
            let highWaterMark = 0;
            transport.onMessage((from, message) => {
              if (message.type !== "ack") return;
              match.set(from, Math.max(match.get(from) ?? 0, message.matchIndex));
              const mark = Math.max(...match.values()); // the leader plus one follower: 2 of 3
              if (mark <= highWaterMark) return;
              highWaterMark = mark;
              highWaterMarks.push({ atMs: sim.now, mark });
              proposals.completeUpTo(mark, (index) => {
                completionOrder.push(index);
                return `committed ${index}`;
              });
            });
            const resend = (): void => {
              for (const id of followers) {
                for (let index = (match.get(id) ?? 0) + 1; index <= lastIndex; index++) {
                  transport.send(id, { type: "append", index });
                }
              }
              if (highWaterMark < 200) env.scheduler.after(40, resend);
            };
            env.scheduler.after(40, resend);
            const task = sim.spawn("proposer", async () => {
              for (let index = 1; index <= 200; index++) {
                lastIndex = index;
                proposals.add(index, callbackFor(index));
                for (const id of followers) transport.send(id, { type: "append", index });
                await sim.sleep(env.random.int(0, 6));
              }
              while (highWaterMark < 200) await sim.sleep(50);
              await sim.sleep(200);
              return proposals;
            });
            return { task };
          },
        });
        await athens.ready();
        const [proposals] = await sim.runUntilSettled([athens.instance.task], {
          timeoutMs: 120_000,
        });

        sim.check("every proposal settled exactly once", () => {
          expect(settled.size).toBe(200);
          for (const outcomes of settled.values()) expect(outcomes).toHaveLength(1);
          expect(proposals.size).toBe(0);
        });
        sim.check("completions in ascending index order, each covered by the mark", () => {
          expect(completionOrder).toEqual([...completionOrder].sort((a, b) => a - b));
          for (const [key, [settlement]] of settled) {
            if (settlement?.outcome !== "ok") continue;
            const mark = highWaterMarks.filter((m) => m.atMs <= settlement.atMs).at(-1)?.mark ?? 0;
            expect(Number(key)).toBeLessThanOrEqual(mark);
          }
        });
        sim.check(
          "expired proposals stayed expired (indefinite) though they committed later",
          () => {
            const expired = [...settled].filter(([, [s]]) => s?.outcome === "error");
            expect(expired.length).toBeGreaterThan(0);
            for (const [key, [settlement]] of expired) {
              expect(settlement?.value).toBeInstanceOf(TimeoutError);
              expect((settlement?.value as TimeoutError).outcome).toBe("indefinite");
              expect(completionOrder).not.toContain(Number(key));
            }
          },
        );
      },
      { file: import.meta.url },
    );
  }, 120_000);
});
