import { delay, type NodeId } from "@pods/core-interfaces";
import { runSeeds, seedsFromEnv } from "@pods/simulation";
import { describe, expect, it } from "vitest";
import {
  ConnectionLostError,
  HandshakeError,
  type ConnectionEvent,
  type StreamDriver,
} from "../src/index.ts";
import { createSimCluster, type Message } from "./sim-cluster.ts";
import { tamperingDriver, type TamperingDriver } from "./tampering-driver.ts";

// The acceptance scenarios of PATTERNS.md §28, in the simulator over many seeds: channel nodes on
// simulated TCP-like streams (createTransportStreamDriver over the FIFO network).

const file = import.meta.url;
const seedTimeoutMs = 120_000;

/** Answers asks with twice their number, after `delayMs` if given. */
function answerAsks(
  channel: { onRequest: (handler: (from: NodeId, m: Message) => Promise<Message>) => unknown },
  env: Parameters<typeof delay>[0],
) {
  channel.onRequest(async (_from, request) => {
    if (request.type !== "ask") throw new Error(`not an ask: ${request.type}`);
    if (request.delayMs !== undefined) await delay(env, request.delayMs);
    return { type: "answer", n: request.n * 2 };
  });
}

async function settledError(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}

describe("single-socket channel: the book's scenarios", () => {
  it(
    "order-preserved",
    async () => {
      await runSeeds(
        seedsFromEnv({ defaultCount: 20 }),
        async (seed) => {
          const received: string[] = [];
          const { sim, node, channel } = createSimCluster(seed, ["athens", "byzantium"], {
            network: { latency: { minMs: 1, maxMs: 20 } },
            onBoot: (id, { channel }) => {
              if (id !== "byzantium") return;
              channel.onMessage((_from, message) => {
                if (message.type === "note") received.push(`${message.producer}/${message.n}`);
              });
            },
          });
          const entered: string[] = [];
          const producers = [333, 333, 334].map((count, index) =>
            sim.spawn(`producer ${index}`, async () => {
              await node("athens").ready();
              await node("byzantium").ready();
              for (let n = 0; n < count; n++) {
                channel("athens").send("byzantium", { type: "note", producer: `p${index}`, n });
                entered.push(`p${index}/${n}`);
                if (sim.random.chance(0.2)) await sim.sleep(sim.random.int(0, 8));
              }
            }),
          );
          await sim.runUntilSettled(producers);
          await sim.runUntil(() => received.length === 1000, { timeoutMs: 60_000 });
          sim.check("the receiver handled the messages in the order they entered", () => {
            expect(received).toEqual(entered);
            expect(channel("athens").status("byzantium")?.epoch).toBe(1);
          });
        },
        { file },
      );
    },
    seedTimeoutMs,
  );

  it(
    "dead-peer-detected",
    async () => {
      await runSeeds(
        seedsFromEnv({ defaultCount: 20 }),
        async (seed) => {
          const events: (ConnectionEvent & { atMs: number })[] = [];
          const { sim, node, channel } = createSimCluster(seed, ["athens", "byzantium"], {
            onBoot: (id, { channel, env }) => {
              if (id === "byzantium") answerAsks(channel, env.scheduler);
              else channel.onConnectionChange((event) => events.push({ ...event, atMs: sim.now }));
            },
          });
          const heartbeatMs = 100;
          const scenario = sim.spawn("client", async () => {
            await node("athens").ready();
            await node("byzantium").ready();
            expect(await channel("athens").request("byzantium", { type: "ask", n: 1 })).toEqual({
              type: "answer",
              n: 2,
            });
            await sim.sleep(sim.random.int(0, 500));
            const stoppedAtMs = sim.now;
            node("byzantium").pause();
            const pending = [1, 2, 3].map((n) =>
              settledError(channel("athens").request("byzantium", { type: "ask", n })),
            );
            const errors = await Promise.all(pending);
            const detectedAfterMs = sim.now - stoppedAtMs;
            const status = channel("athens").status("byzantium");
            await sim.sleep(1_000);
            node("byzantium").resume();
            const answer = await channel("athens").request("byzantium", { type: "ask", n: 4 });
            return { errors, detectedAfterMs, status, answer };
          });
          const [outcome] = await sim.runUntilSettled([scenario], { timeoutMs: 60_000 });
          sim.check("silence is detected after about 10 heartbeat intervals", () => {
            for (const error of outcome.errors) {
              expect(error).toBeInstanceOf(ConnectionLostError);
              expect((error as ConnectionLostError).outcome).toBe("indefinite");
              expect((error as ConnectionLostError).reason).toMatch(/^no bytes from the peer for/);
            }
            expect(outcome.detectedAfterMs).toBeGreaterThanOrEqual(8 * heartbeatMs);
            expect(outcome.detectedAfterMs).toBeLessThanOrEqual(12 * heartbeatMs);
            expect(outcome.status?.state).toBe("idle");
            expect(events.map((event) => event.state)).toEqual([
              "connected",
              "disconnected",
              "connected",
            ]);
            expect(outcome.answer).toEqual({ type: "answer", n: 8 });
            expect(channel("athens").status("byzantium")?.epoch).toBe(2);
          });
        },
        { file },
      );
    },
    seedTimeoutMs,
  );

  it(
    "one-connection-per-pair",
    async () => {
      const ids = ["athens", "byzantium", "cyrene", "delphi"];
      await runSeeds(
        seedsFromEnv({ defaultCount: 30 }),
        async (seed) => {
          const received = new Map<string, number>();
          const { sim, node, channel } = createSimCluster(seed, ids, {
            network: { latency: { minMs: 1, maxMs: 30 } },
            // Dial and handshake take four one-way trips: room for them, so that only the race counts.
            channel: { connectTimeoutMs: 500 },
            onBoot: (id, { channel }) =>
              channel.onMessage((from) => {
                const key = `${from}->${id}`;
                received.set(key, (received.get(key) ?? 0) + 1);
              }),
          });
          const everyone = sim.spawn("all at once", async () => {
            for (const id of ids) await node(id).ready();
            // Every node sends to every other node at the same virtual instant: all dial at once.
            for (const from of ids) {
              for (const to of ids)
                if (from !== to) channel(from).send(to, { type: "note", producer: from, n: 0 });
            }
            await sim.sleep(2_000);
            for (const from of ids) {
              for (const to of ids)
                if (from !== to) channel(from).send(to, { type: "note", producer: from, n: 1 });
            }
            await sim.sleep(500);
          });
          await sim.runUntilSettled([everyone], { timeoutMs: 60_000 });
          sim.check("the network shows exactly one connection per pair", () => {
            for (const [index, a] of ids.entries()) {
              for (const b of ids.slice(index + 1)) {
                const streams = [
                  ...node(a)
                    .instance.driver.openStreams()
                    .filter((stream) => stream.peer === b),
                  ...node(b)
                    .instance.driver.openStreams()
                    .filter((stream) => stream.peer === a),
                ];
                const distinct = new Set(streams.map((stream) => stream.id));
                expect(distinct.size, `${a}-${b}`).toBe(1);
                // Both ends see it, and it is the one the smaller id (a) opened.
                expect(streams.length).toBe(2);
                expect(streams.find((stream) => stream.dialed)?.id.startsWith(`${a}/`)).toBe(true);
                expect(channel(a).status(b)?.epoch).toBe(1);
                expect(channel(b).status(a)?.epoch).toBe(1);
              }
            }
            // Nothing queued during the race was lost: every message of both rounds arrived.
            for (const from of ids) {
              for (const to of ids) if (from !== to) expect(received.get(`${from}->${to}`)).toBe(2);
            }
          });
        },
        { file },
      );
    },
    seedTimeoutMs,
  );

  it(
    "bad-frame-isolated",
    async () => {
      const corruptions: Record<string, (bytes: Uint8Array) => Uint8Array> = {
        // A header claiming a 4 GiB payload, far beyond frameBytesMax.
        oversized: (bytes) => Uint8Array.from([0xff, 0xff, 0xff, 0xff, ...bytes.subarray(4)]),
        // One bit flipped in the last byte: the CRC32C no longer matches.
        garbled: (bytes) => {
          const copy = Uint8Array.from(bytes);
          copy[copy.length - 1] = (copy[copy.length - 1] ?? 0) ^ 0x10;
          return copy;
        },
      };
      for (const [kind, corrupt] of Object.entries(corruptions)) {
        await runSeeds(
          seedsFromEnv({ defaultCount: 10 }),
          async (seed) => {
            let athensDriver: TamperingDriver<NodeId> | undefined;
            const { sim, node, channel } = createSimCluster(
              seed,
              ["athens", "byzantium", "cyrene"],
              {
                wrapDriver: (id, driver): StreamDriver<NodeId> => {
                  if (id !== "athens") return driver;
                  athensDriver = tamperingDriver(driver);
                  return athensDriver.driver;
                },
                onBoot: (id, { channel, env }) => {
                  if (id === "byzantium") answerAsks(channel, env.scheduler);
                },
              },
            );
            const ask = (from: NodeId, n: number): Promise<Message> =>
              channel(from).request("byzantium", { type: "ask", n });
            const run = sim.spawn("clients", async () => {
              for (const id of ["athens", "byzantium", "cyrene"]) await node(id).ready();
              await ask("athens", 1);
              await ask("cyrene", 1);
              athensDriver?.tamperNextWrite(corrupt);
              const [bad, fromCyrene] = await Promise.all([
                settledError(ask("athens", 2)),
                ask("cyrene", 2),
              ]);
              const afterwards = await Promise.all([ask("athens", 3), ask("cyrene", 3)]);
              return { bad, fromCyrene, afterwards };
            });
            const [outcome] = await sim.runUntilSettled([run], { timeoutMs: 60_000 });
            sim.check(`a ${kind} frame closes only its connection`, () => {
              expect(outcome.bad).toBeInstanceOf(ConnectionLostError);
              expect((outcome.bad as ConnectionLostError).outcome).toBe("indefinite");
              expect(outcome.fromCyrene).toEqual({ type: "answer", n: 4 });
              expect(outcome.afterwards).toEqual([
                { type: "answer", n: 6 },
                { type: "answer", n: 6 },
              ]);
              // athens reconnected (epoch 2); cyrene kept its one connection throughout.
              expect(channel("athens").status("byzantium")?.epoch).toBe(2);
              expect(channel("cyrene").status("byzantium")?.epoch).toBe(1);
              const logged = node("byzantium").logs.find(
                (record) =>
                  record.event === "channel.disconnected" && record.fields["peer"] === "athens",
              );
              expect(String(logged?.fields["reason"])).toMatch(/^malformed input from the peer/);
            });
          },
          { file },
        );
      }
    },
    seedTimeoutMs,
  );

  it(
    "wrong-cluster-refused",
    async () => {
      await runSeeds(
        seedsFromEnv({ defaultCount: 10 }),
        async (seed) => {
          const delivered: string[] = [];
          const { sim, node, channel } = createSimCluster(seed, ["athens", "byzantium", "sparta"], {
            perNode: { sparta: { clusterId: "another-cluster" } },
            onBoot: (id, { channel, env }) => {
              if (id !== "athens") return;
              answerAsks(channel, env.scheduler);
              channel.onMessage((from) => delivered.push(from));
            },
          });
          const run = sim.spawn("clients", async () => {
            for (const id of ["athens", "byzantium", "sparta"]) await node(id).ready();
            channel("sparta").send("athens", { type: "note", producer: "sparta", n: 0 });
            const refused = await settledError(
              channel("sparta").request("athens", { type: "ask", n: 1 }),
            );
            channel("byzantium").send("athens", { type: "note", producer: "byzantium", n: 0 });
            const answer = await channel("byzantium").request("athens", { type: "ask", n: 1 });
            return { refused, answer };
          });
          const [outcome] = await sim.runUntilSettled([run], { timeoutMs: 60_000 });
          sim.check("a peer of another cluster is refused at the handshake", () => {
            expect(outcome.refused).toBeInstanceOf(ConnectionLostError);
            const refused = outcome.refused as ConnectionLostError;
            expect(refused.outcome).toBe("definite");
            expect(refused.cause).toBeInstanceOf(HandshakeError);
            expect((refused.cause as HandshakeError).reason).toBe("wrong-cluster");
            expect(outcome.answer).toEqual({ type: "answer", n: 2 });
            expect(delivered).toEqual(["byzantium"]);
            expect(channel("athens").metrics.handshakesRefused).toBe(1);
            const refusal = node("athens").logs.find(
              (record) => record.event === "channel.handshake-refused",
            );
            expect(refusal?.level).toBe("warn");
            expect(refusal?.fields["reason"]).toBe("wrong-cluster");
            expect(String(refusal?.fields["detail"])).toContain(
              'node "sparta" belongs to cluster "another-cluster"',
            );
            const failure = node("sparta").logs.find(
              (record) => record.event === "channel.connect-failed",
            );
            expect(failure?.level).toBe("error");
          });
        },
        { file },
      );
    },
    seedTimeoutMs,
  );

  it(
    "unknown-correlation-id",
    async () => {
      await runSeeds(
        seedsFromEnv({ defaultCount: 10 }),
        async (seed) => {
          const { sim, node, channel } = createSimCluster(seed, ["athens", "byzantium"], {
            onBoot: (id, { channel, env }) => {
              if (id === "byzantium") answerAsks(channel, env.scheduler);
            },
          });
          const run = sim.spawn("client", async () => {
            await node("athens").ready();
            await node("byzantium").ready();
            const slow = await settledError(
              channel("athens").request(
                "byzantium",
                { type: "ask", n: 1, delayMs: 300 },
                { timeoutMs: 50 },
              ),
            );
            await sim.sleep(500); // the late response to the timed-out request arrives meanwhile
            const next = await channel("athens").request("byzantium", { type: "ask", n: 2 });
            return { slow, next };
          });
          const [outcome] = await sim.runUntilSettled([run], { timeoutMs: 60_000 });
          sim.check("the late response is dropped and counted; the connection stays", () => {
            expect((outcome.slow as Error).name).toBe("TimeoutError");
            expect(outcome.next).toEqual({ type: "answer", n: 4 });
            const metrics = channel("athens").metrics;
            expect(metrics.unknownResponses).toBe(1);
            expect(metrics.responsesReceived).toBe(1);
            expect(channel("athens").status("byzantium")?.epoch).toBe(1);
          });
        },
        { file },
      );
    },
    seedTimeoutMs,
  );
});
