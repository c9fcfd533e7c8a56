import { delay, isPodsError, TimeoutError, type NodeId } from "@pods/core-interfaces";
import { runSeeds, seedsFromEnv, type Simulation } from "@pods/simulation";
import { ConnectionLostError, type StreamSegment } from "@pods/single-socket-channel";
import { describe, expect, it } from "vitest";
import {
  OrderedPipeline,
  OrderedStreamReceiver,
  PipelinedConnection,
  type ConnectionLossPolicy,
} from "../src/index.ts";
import { answerAsks, createWorld, type Message, type Wire } from "./sim-world.ts";

// Pipelines under loss, delay spikes and expiry, over many seeds. Lost segments reset the simulated
// streams, so loss shows up as lost connections; delay spikes push answers past their deadlines.

const file = import.meta.url;
const seedTimeoutMs = 120_000;

/** Random extra delay on every link for a while, now and then. */
function delaySpikes(sim: Simulation<StreamSegment>, untilMs: number): void {
  for (let atMs = 100; atMs < untilMs; atMs += sim.random.int(100, 400)) {
    sim.at(atMs, "delay spike", () => {
      const heal = sim.network.addRule({
        action: { kind: "delay", extraMs: sim.random.int(50, 400) },
      });
      sim.at(sim.now + sim.random.int(10, 100), "spike over", heal);
    });
  }
}

/** What one request ended with, and when. */
interface Settled {
  readonly n: number;
  readonly sentAtMs: number;
  readonly settledAtMs: number;
  readonly answer: number | undefined;
  readonly error: unknown;
}

describe("request pipeline under faults", () => {
  it(
    "pipelining under loss and delay: every request settles once, by its deadline, within the window",
    async () => {
      await runSeeds(
        seedsFromEnv({ defaultCount: 12 }),
        async (seed) => {
          const { sim, node, ready } = createWorld(seed, ["athens", "byzantium"], {
            network: { latency: { minMs: 1, maxMs: 30 } },
            onBoot: (id, world) => id === "byzantium" && answerAsks(world),
          });
          sim.network.setLossRate(sim.random.float() * 0.02);
          const spikesUntilMs = 3_000;
          delaySpikes(sim, spikesUntilMs);
          const inflightMax = sim.random.int(1, 9);
          const requestTimeoutMs = 400;
          const settled: Settled[] = [];
          let pipeline: PipelinedConnection<Wire> | undefined;
          sim.addInvariant("never more than inflightMax on the channel", () => {
            expect(pipeline?.inflight ?? 0).toBeLessThanOrEqual(inflightMax);
            const status = node("athens").instance?.channel.status("byzantium");
            expect(status?.inflightRequests ?? 0).toBeLessThanOrEqual(inflightMax);
          });
          const clients = [0, 1].map((producer) =>
            sim.spawn(`producer ${producer}`, async () => {
              await ready();
              const { channel, env } = node("athens").instance;
              pipeline ??= new PipelinedConnection(channel, {
                peer: "byzantium",
                env,
                inflightMax,
                requestTimeoutMs,
                adaptiveWindow: sim.random.chance(0.5),
              });
              const sends: Promise<void>[] = [];
              for (let i = 0; i < 100; i++) {
                const n = producer * 1_000 + i;
                const sentAtMs = sim.now;
                const request: Message = { type: "ask", n, handleMs: sim.random.int(0, 4) };
                sends.push(
                  pipeline.send(request).then(
                    (answer) => {
                      settled.push({
                        n,
                        sentAtMs,
                        settledAtMs: sim.now,
                        answer: (answer as { n: number }).n,
                        error: undefined,
                      });
                    },
                    (error: unknown) => {
                      settled.push({ n, sentAtMs, settledAtMs: sim.now, answer: undefined, error });
                    },
                  ),
                );
                if (sim.random.chance(0.3)) await sim.sleep(sim.random.int(0, 30));
              }
              await Promise.all(sends);
            }),
          );
          await sim.runUntilSettled(clients, { timeoutMs: 60_000 });
          // Once the network is healthy again, requests get through.
          sim.network.setLossRate(0);
          const [final] = await sim.runUntilSettled(
            [
              sim.spawn("after the faults", async () => {
                await sim.sleep(Math.max(0, spikesUntilMs + 1_000 - sim.now) + 1_000);
                return (await (pipeline as PipelinedConnection<Wire>).send({
                  type: "ask",
                  n: 7,
                })) as { n: number };
              }),
            ],
            { timeoutMs: 60_000 },
          );
          sim.check(
            "each request settled once: its own answer, or a typed error by its deadline",
            () => {
              expect(settled).toHaveLength(200);
              expect(new Set(settled.map(({ n }) => n)).size).toBe(200);
              for (const outcome of settled) {
                expect(outcome.settledAtMs).toBeLessThanOrEqual(
                  outcome.sentAtMs + requestTimeoutMs,
                );
                if (outcome.error === undefined) {
                  expect(outcome.answer).toBe(2 * outcome.n);
                  continue;
                }
                const error = outcome.error;
                expect(error instanceof TimeoutError || error instanceof ConnectionLostError).toBe(
                  true,
                );
                if (error instanceof TimeoutError) {
                  expect(outcome.settledAtMs).toBe(outcome.sentAtMs + requestTimeoutMs);
                }
              }
              const metrics = (pipeline as PipelinedConnection<Wire>).metrics;
              expect(metrics.succeeded + metrics.failed).toBe(201);
              expect(metrics.inflightPeak).toBeLessThanOrEqual(inflightMax);
              expect(final.n).toBe(14);
            },
          );
        },
        { file },
      );
    },
    seedTimeoutMs,
  );

  it(
    "ordered streams under loss: the receiver never applies n + 1 before n, nor anything twice",
    async () => {
      await runSeeds(
        seedsFromEnv({ defaultCount: 12 }),
        async (seed) => {
          const applied = new Map<string, { epoch: number; sequence: number; n: number }[]>();
          let current: { streamId: string; epoch: number; sequence: number } | undefined;
          const { sim, node, ready } = createWorld(seed, ["athens", "byzantium", "cyrene"], {
            network: { latency: { minMs: 1, maxMs: 25 } },
            onBoot: (id, { channel, env }) => {
              if (id !== "byzantium") return;
              const receiver = new OrderedStreamReceiver<Message>(async (_from, request) => {
                const n = (request as { n: number }).n;
                if (current !== undefined) {
                  const log = applied.get(current.streamId) ?? [];
                  log.push({ epoch: current.epoch, sequence: current.sequence, n });
                  applied.set(current.streamId, log);
                }
                await delay(env.scheduler, sim.random.int(0, 3));
                return { type: "answer", n: 2 * n };
              });
              const handle = receiver.requestHandler();
              channel.onRequest((from, message) => {
                current = message.type === "pods.sequenced" ? message : undefined;
                return handle(from, message);
              });
            },
          });
          sim.network.setLossRate(0.005 + sim.random.float() * 0.02);
          const spikesUntilMs = 2_000;
          delaySpikes(sim, spikesUntilMs);
          const policies: Record<"athens" | "cyrene", ConnectionLossPolicy> = {
            athens: "resend",
            cyrene: sim.random.chance(0.5) ? "resend" : "fail-all",
          };
          const outcomes = new Map<
            NodeId,
            { n: number; answer: number | undefined; error: unknown }[]
          >();
          const streamIds = new Map<NodeId, string>();
          const pipelines = new Map<NodeId, OrderedPipeline<Message>>();
          const clients = (["athens", "cyrene"] as const).map((client) =>
            sim.spawn(client, async () => {
              await ready();
              const { channel, env } = node(client).instance;
              const pipeline = new OrderedPipeline<Message>(channel, {
                peer: "byzantium",
                env,
                inflightMax: sim.random.int(1, 8),
                requestTimeoutMs: 3_000,
                onConnectionLoss: policies[client],
                resendsMax: 10,
              });
              streamIds.set(client, pipeline.position.streamId);
              pipelines.set(client, pipeline);
              const results: { n: number; answer: number | undefined; error: unknown }[] = [];
              outcomes.set(client, results);
              const sends: Promise<void>[] = [];
              for (let n = 0; n < 80; n++) {
                sends.push(
                  pipeline.send({ type: "ask", n }).then(
                    (answer) =>
                      void results.push({
                        n,
                        answer: (answer as { n: number }).n,
                        error: undefined,
                      }),
                    (error: unknown) => void results.push({ n, answer: undefined, error }),
                  ),
                );
                if (sim.random.chance(0.25)) await sim.sleep(sim.random.int(0, 40));
              }
              await Promise.all(sends);
            }),
          );
          await sim.runUntilSettled(clients, { timeoutMs: 120_000 });
          // Once the network is healthy again, each stream makes progress.
          sim.network.setLossRate(0);
          const finals = new Map<NodeId, number>();
          await sim.runUntilSettled(
            [...pipelines].map(([client, pipeline]) =>
              sim.spawn(`${client} after the faults`, async () => {
                await sim.sleep(Math.max(0, spikesUntilMs + 1_000 - sim.now) + 1_000);
                const answer = await pipeline.send({ type: "ask", n: 1_000 });
                finals.set(client, (answer as { n: number }).n);
              }),
            ),
            { timeoutMs: 60_000 },
          );
          sim.check("per stream: applied in sequence order, once, and answered truthfully", () => {
            for (const client of ["athens", "cyrene"] as const) {
              const log = applied.get(streamIds.get(client) as string) ?? [];
              let epoch = -1;
              let expected = 0;
              for (const entry of log) {
                if (entry.epoch !== epoch) {
                  expect(entry.epoch).toBeGreaterThan(epoch);
                  [epoch, expected] = [entry.epoch, 0];
                }
                expect(entry.sequence).toBe(expected++);
              }
              const values = log.map(({ n }) => n);
              expect(values).toEqual([...new Set(values)].sort((a, b) => a - b));
              const results = outcomes.get(client) ?? [];
              expect(results).toHaveLength(80);
              for (const result of results) {
                if (result.error === undefined) {
                  expect(result.answer).toBe(2 * result.n);
                  expect(values).toContain(result.n);
                } else {
                  expect(isPodsError(result.error)).toBe(true);
                }
              }
              expect(finals.get(client)).toBe(2 * 1_000);
            }
          });
        },
        { file },
      );
    },
    seedTimeoutMs,
  );

  it(
    "replays the same run from the same seed",
    async () => {
      const run = async (seed: number): Promise<string> => {
        const { sim, node, ready } = createWorld(seed, ["athens", "byzantium"], {
          network: { latency: { minMs: 1, maxMs: 20 }, lossRate: 0.01 },
          onBoot: (id, world) => id === "byzantium" && answerAsks(world),
        });
        const client = sim.spawn("client", async () => {
          await ready();
          const { channel, env } = node("athens").instance;
          const pipeline = new OrderedPipeline<Message>(channel, { peer: "byzantium", env });
          await Promise.all(
            Array.from({ length: 50 }, (_, n) =>
              pipeline.send({ type: "ask", n }).catch(() => undefined),
            ),
          );
        });
        await sim.runUntilSettled([client], { timeoutMs: 60_000 });
        return sim.traceHash;
      };
      expect(await run(7)).toBe(await run(7));
      expect(await run(7)).not.toBe(await run(8));
    },
    seedTimeoutMs,
  );
});
