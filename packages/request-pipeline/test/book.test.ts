import { delay, TimeoutError, type NodeId } from "@pods/core-interfaces";
import { runSeeds, seedsFromEnv } from "@pods/simulation";
import { ConnectionLostError, type ConnectionEvent } from "@pods/single-socket-channel";
import { describe, expect, it } from "vitest";
import {
  OrderedPipeline,
  OrderedStreamReceiver,
  PipelinedConnection,
  PipelineProtocolError,
  type PipelineChannel,
} from "../src/index.ts";
import { answerAsks, createWorld, rejectionOf, type Message, type Wire } from "./sim-world.ts";

// The acceptance scenarios of PATTERNS.md §30, in the simulator over many seeds: athens pipelines
// requests to byzantium over a single-socket channel on simulated TCP-like streams.

const file = import.meta.url;
const seedTimeoutMs = 120_000;

function ask(n: number, handleMs?: number): Message {
  return handleMs === undefined ? { type: "ask", n } : { type: "ask", n, handleMs };
}

/** The number an answer carries. */
function answered(message: Wire): number {
  if (message.type !== "answer") throw new Error(`not an answer: ${message.type}`);
  return message.n;
}

/**
 * Holds the answers the channel delivers and releases them in reverse order, `count` at a time:
 * what a receiver that answers out of order looks like to the pipeline (the channel's own receiver
 * answers in order).
 */
function reversing(channel: PipelineChannel<Wire>, count: number): PipelineChannel<Wire> {
  let held: (() => void)[] = [];
  const hold = (release: () => void): void => {
    held.push(release);
    if (held.length < count) return;
    const releases = held.reverse();
    held = [];
    for (const next of releases) next();
  };
  return {
    requestWith: (to, message, receiver) =>
      channel.requestWith(to, message, {
        response: (answer) => hold(() => receiver.response(answer)),
        failure: (error) => hold(() => receiver.failure(error)),
      }),
    send: (to, message) => channel.send(to, message),
    disconnect: (peer, reason) => channel.disconnect(peer, reason),
  };
}

describe("request pipeline: the book's scenarios", () => {
  it(
    "pipelining-pays",
    async () => {
      await runSeeds(
        seedsFromEnv({ defaultCount: 5 }),
        async (seed) => {
          const roundTripMs = 50;
          const { sim, node, ready } = createWorld(seed, ["athens", "byzantium"], {
            network: { latency: { minMs: roundTripMs / 2, maxMs: roundTripMs / 2 } },
            onBoot: (id, world) => id === "byzantium" && answerAsks(world),
          });
          const scenario = sim.spawn("client", async () => {
            await ready();
            const { channel, env } = node("athens").instance;
            const pipeline = new PipelinedConnection(channel, { peer: "byzantium", env });
            await pipeline.send(ask(0)); // the connection is up from here on
            let startedMs = sim.now;
            await Promise.all([1, 2, 3, 4, 5].map((n) => pipeline.send(ask(n, 1))));
            const pipelinedMs = sim.now - startedMs;
            startedMs = sim.now;
            for (const n of [1, 2, 3, 4, 5]) await pipeline.send(ask(n, 1));
            return { pipelinedMs, oneAtATimeMs: sim.now - startedMs };
          });
          const [outcome] = await sim.runUntilSettled([scenario], { timeoutMs: 10_000 });
          sim.check(
            "five back to back take under two round trips, one at a time about five",
            () => {
              expect(outcome.pipelinedMs).toBeLessThan(2 * roundTripMs);
              expect(outcome.oneAtATimeMs).toBeGreaterThanOrEqual(5 * roundTripMs);
              expect(outcome.oneAtATimeMs).toBeLessThan(5.5 * roundTripMs);
            },
          );
        },
        { file },
      );
    },
    seedTimeoutMs,
  );

  it(
    "window-limit",
    async () => {
      await runSeeds(
        seedsFromEnv({ defaultCount: 10 }),
        async (seed) => {
          const arrivals: { n: number; atMs: number }[] = [];
          const transmitted: { n: number; atMs: number }[] = [];
          const { sim, node, ready } = createWorld(seed, ["athens", "byzantium"], {
            network: { latency: { minMs: 1, maxMs: 30 } },
            onBoot: (id, { channel, env }) => {
              if (id !== "byzantium") return;
              channel.onRequest(async (_from, request) => {
                const n = (request as { n: number }).n;
                arrivals.push({ n, atMs: sim.now });
                await delay(env.scheduler, 20);
                return { type: "answer", n };
              });
            },
          });
          const scenario = sim.spawn("client", async () => {
            await ready();
            const { channel, env } = node("athens").instance;
            // Records when each request is handed to the channel.
            const recording: PipelineChannel<Wire> = {
              requestWith: (to, message, receiver) => {
                transmitted.push({ n: (message as { n: number }).n, atMs: sim.now });
                channel.requestWith(to, message, receiver);
              },
              send: (to, message) => channel.send(to, message),
              disconnect: (peer, reason) => channel.disconnect(peer, reason),
            };
            const pipeline = new PipelinedConnection(recording, { peer: "byzantium", env });
            let firstAnswerAtMs = Infinity;
            const replies = [1, 2, 3, 4, 5, 6].map((n) =>
              pipeline.send(ask(n)).then((answer) => {
                firstAnswerAtMs = Math.min(firstAnswerAtMs, sim.now);
                return answered(answer);
              }),
            );
            const gauges = { inflight: pipeline.inflight, waiting: pipeline.waiting };
            return { gauges, answers: await Promise.all(replies), firstAnswerAtMs };
          });
          const [outcome] = await sim.runUntilSettled([scenario], { timeoutMs: 10_000 });
          sim.check("the sixth send waits until an answer frees a slot", () => {
            expect(outcome.gauges).toEqual({ inflight: 5, waiting: 1 });
            expect(outcome.answers).toEqual([1, 2, 3, 4, 5, 6]);
            const early = transmitted.filter(({ atMs }) => atMs < outcome.firstAnswerAtMs);
            expect(early.map(({ n }) => n)).toEqual([1, 2, 3, 4, 5]);
            expect(transmitted.map(({ n }) => n)).toEqual([1, 2, 3, 4, 5, 6]);
            const sixth = arrivals.find((arrival) => arrival.n === 6);
            expect(sixth?.atMs).toBeGreaterThan(outcome.firstAnswerAtMs);
          });
        },
        { file },
      );
    },
    seedTimeoutMs,
  );

  it(
    "correlation",
    async () => {
      await runSeeds(
        seedsFromEnv({ defaultCount: 10 }),
        async (seed) => {
          const events: ConnectionEvent[] = [];
          const { sim, node, ready } = createWorld(seed, ["athens", "byzantium"], {
            network: { latency: { minMs: 1, maxMs: 20 } },
            onBoot: (id, world) => {
              if (id === "byzantium") answerAsks(world);
              else world.channel.onConnectionChange((event) => events.push(event));
            },
          });
          const scenario = sim.spawn("client", async () => {
            await ready();
            const { channel, env } = node("athens").instance;
            const relaxed = new PipelinedConnection(reversing(channel, 5), {
              peer: "byzantium",
              env,
            });
            const answers = await Promise.all(
              [1, 2, 3, 4, 5].map(async (n) => answered(await relaxed.send(ask(n)))),
            );
            const strict = new PipelinedConnection(reversing(channel, 5), {
              peer: "byzantium",
              env,
              strictOrder: true,
            });
            const errors = await Promise.all(
              [1, 2, 3, 4, 5].map((n) => rejectionOf(strict.send(ask(n)))),
            );
            const plain = new PipelinedConnection(channel, { peer: "byzantium", env });
            const afterwards = answered(await plain.send(ask(6)));
            return { answers, errors, protocolErrors: strict.metrics.protocolErrors, afterwards };
          });
          const [outcome] = await sim.runUntilSettled([scenario], { timeoutMs: 10_000 });
          sim.check("reversed answers resolve the right promises; strictOrder resets", () => {
            expect(outcome.answers).toEqual([2, 4, 6, 8, 10]);
            for (const error of outcome.errors) {
              expect(error).toBeInstanceOf(PipelineProtocolError);
              expect((error as PipelineProtocolError).outcome).toBe("indefinite");
            }
            expect(outcome.protocolErrors).toBe(1);
            const lost = events.find((event) => event.state === "disconnected");
            expect(lost?.reason).toContain("protocol error");
            // The next request went out on a new connection.
            expect(outcome.afterwards).toBe(12);
            expect(node("athens").instance.channel.status("byzantium")?.epoch).toBe(2);
          });
        },
        { file },
      );
    },
    seedTimeoutMs,
  );

  it(
    "drop-with-inflight",
    async () => {
      await runSeeds(
        seedsFromEnv({ defaultCount: 15 }),
        async (seed) => {
          // byzantium drops the connection while it applies request `dropAt` of a burst; the
          // others are in flight. Plain requests fail; an ordered stream resends in order.
          let dropAt = -1;
          const applied: string[] = [];
          const { sim, node, ready } = createWorld(seed, ["athens", "byzantium"], {
            network: { latency: { minMs: 1, maxMs: 20 } },
            onBoot: (id, { channel, env }) => {
              if (id !== "byzantium") return;
              const apply = async (_from: NodeId, request: Message): Promise<Message> => {
                const n = (request as { n: number }).n;
                if (n === dropAt) {
                  dropAt = -1;
                  channel.disconnect("athens", "dropped by the test");
                }
                await delay(env.scheduler, 5);
                return { type: "answer", n };
              };
              const receiver = new OrderedStreamReceiver<Message>(async (from, request) => {
                const answer = await apply(from, request);
                const n = (request as { n: number }).n;
                if (n < 100) applied.push(`${n}`);
                return answer;
              });
              channel.onRequest(receiver.requestHandler());
            },
          });
          const scenario = sim.spawn("client", async () => {
            await ready();
            const { channel, env } = node("athens").instance;
            const plain = new PipelinedConnection(channel, { peer: "byzantium", env });
            dropAt = 100;
            const plainErrors = await Promise.all(
              [100, 101, 102, 103, 104].map((n) => rejectionOf(plain.send(ask(n)))),
            );
            const ordered = new OrderedPipeline(channel, { peer: "byzantium", env });
            dropAt = sim.random.int(0, 20);
            const answers = await Promise.all(
              Array.from({ length: 20 }, async (_, n) => answered(await ordered.send(ask(n)))),
            );
            return { plainErrors, answers, position: ordered.position };
          });
          const [outcome] = await sim.runUntilSettled([scenario], { timeoutMs: 30_000 });
          sim.check("plain requests fail as unknown; the stream is resent in order", () => {
            for (const error of outcome.plainErrors) {
              expect(error).toBeInstanceOf(ConnectionLostError);
              expect((error as ConnectionLostError).outcome).toBe("indefinite");
            }
            expect(outcome.answers).toEqual(Array.from({ length: 20 }, (_, n) => n));
            // Applied once each, n + 1 never before n.
            expect(applied).toEqual(Array.from({ length: 20 }, (_, n) => `${n}`));
            expect(outcome.position.epoch).toBe(0);
          });
        },
        { file },
      );
    },
    seedTimeoutMs,
  );

  it(
    "timeout-one",
    async () => {
      await runSeeds(
        seedsFromEnv({ defaultCount: 10 }),
        async (seed) => {
          const { sim, node, ready } = createWorld(seed, ["athens", "byzantium"], {
            network: { latency: { minMs: 1, maxMs: 20 } },
            onBoot: (id, world) => id === "byzantium" && answerAsks(world),
          });
          const scenario = sim.spawn("client", async () => {
            await ready();
            const { channel, env } = node("athens").instance;
            const pipeline = new PipelinedConnection(channel, {
              peer: "byzantium",
              env,
              requestTimeoutMs: 300,
            });
            // The channel's receiver answers in order, so the withheld answer is the last one.
            const withheld = 5;
            const outcomes = await Promise.all(
              [1, 2, 3, 4, 5].map((n) =>
                pipeline
                  .send(ask(n, n === withheld ? 600 : 1))
                  .then(answered, (error: unknown) => error),
              ),
            );
            await sim.sleep(1_000);
            const after = answered(await pipeline.send(ask(21)));
            return { withheld, outcomes, after, metrics: pipeline.metrics };
          });
          const [outcome] = await sim.runUntilSettled([scenario], { timeoutMs: 10_000 });
          sim.check(
            "the withheld request times out; the others succeed; its late answer is dropped",
            () => {
              expect(outcome.outcomes.slice(0, 4)).toEqual([2, 4, 6, 8]);
              const timedOut = outcome.outcomes[outcome.withheld - 1];
              expect(timedOut).toBeInstanceOf(TimeoutError);
              expect((timedOut as TimeoutError).outcome).toBe("indefinite");
              expect(outcome.after).toBe(42);
              expect(outcome.metrics).toMatchObject({
                lateResponses: 1,
                timedOut: 1,
                succeeded: 5,
              });
              expect(node("athens").instance.channel.metrics.unknownResponses).toBe(0);
            },
          );
        },
        { file },
      );
    },
    seedTimeoutMs,
  );
});
