import { createMsgpackCodec } from "@pods/codec";
import { TimeoutError } from "@pods/core-interfaces";
import { runSeeds, seedsFromEnv } from "@pods/simulation";
import { ConnectionLostError } from "@pods/single-socket-channel";
import { describe, expect, it } from "vitest";
import {
  BatchFailedError,
  BatchReceiver,
  isBatchRequest,
  RequestBatcher,
  type BatchRequest,
} from "../src/index.ts";
import { createWorld, type Message, type Wire } from "./sim-world.ts";

// Batching under loss, delay spikes and back-pressure, over many seeds. Lost segments reset the
// simulated streams, so loss shows up as lost connections and failed batches.

const file = import.meta.url;
const codec = createMsgpackCodec<Message>();
const wireCodec = createMsgpackCodec<Wire>();

describe("request batch under faults", () => {
  it("batches under loss and delay: limits kept, order kept, failures scoped to their batch", async () => {
    await runSeeds(
      seedsFromEnv({ defaultCount: 12 }),
      async (seed) => {
        const applied: number[] = [];
        const seen: { encodedBytes: number; requests: number }[] = [];
        const { sim, node, ready } = createWorld(seed, ["athens", "byzantium"], {
          network: { latency: { minMs: 1, maxMs: 30 } },
          onBoot: (id, { channel }) => {
            if (id !== "byzantium") return;
            const handle = new BatchReceiver<Message>(
              (_from, request) => {
                applied.push(request.n);
                return { type: "stored", n: request.n };
              },
              { codec },
            ).requestHandler();
            channel.onRequest((from, message) => {
              if (isBatchRequest(message)) {
                const batch = message as BatchRequest;
                seen.push({
                  encodedBytes: wireCodec.encode(batch).length,
                  requests: batch.items.length,
                });
              }
              return handle(from, message);
            });
          },
        });
        const spikesUntilMs = 2_000;
        sim.network.setLossRate(sim.random.float() * 0.02);
        for (let atMs = 100; atMs < spikesUntilMs; atMs += sim.random.int(100, 400)) {
          sim.at(atMs, "delay spike", () => {
            const heal = sim.network.addRule({
              action: { kind: "delay", extraMs: sim.random.int(20, 300) },
            });
            sim.at(sim.now + sim.random.int(10, 100), "spike over", heal);
          });
        }
        const limits = {
          batchBytesMax: sim.random.int(1, 17) * 1_024,
          batchCountMax: sim.random.int(1, 65),
          lingerMs: sim.random.int(0, 6),
          inflightBatchesMax: sim.random.int(1, 9),
          bufferedBytesMax: 64 * 1_024,
          batchTimeoutMs: 1_000,
        };
        let batcher: RequestBatcher<Message> | undefined;
        sim.addInvariant("buffered bytes stay within bufferedBytesMax", () => {
          expect(batcher?.metrics.bufferedBytes ?? 0).toBeLessThanOrEqual(limits.bufferedBytesMax);
        });
        const results = new Map<number, unknown>();
        let next = 0;
        const producers = [0, 1].map((producer) =>
          sim.spawn(`producer ${producer}`, async () => {
            await ready();
            const { channel, env } = node("athens").instance;
            batcher ??= new RequestBatcher<Message>(channel, {
              peer: "byzantium",
              env,
              codec,
              ...limits,
            });
            const sends: Promise<void>[] = [];
            for (let i = 0; i < 150; i++) {
              const n = next++;
              const request: Message = {
                type: "put",
                n,
                pad: "x".repeat(sim.random.int(0, 3_000)),
              };
              sends.push(
                batcher.send(request).then(
                  (answer) => void results.set(n, answer.n),
                  (error: unknown) => void results.set(n, error),
                ),
              );
              if (sim.random.chance(0.3)) await sim.sleep(sim.random.int(0, 20));
            }
            await Promise.all(sends);
          }),
        );
        await sim.runUntilSettled(producers, { timeoutMs: 60_000 });
        sim.network.setLossRate(0);
        const [final] = await sim.runUntilSettled(
          [
            sim.spawn("after the faults", async () => {
              await sim.sleep(Math.max(0, spikesUntilMs + 1_000 - sim.now) + 1_000);
              return (batcher as RequestBatcher<Message>).send({ type: "put", n: 10_000 });
            }),
          ],
          { timeoutMs: 60_000 },
        );
        sim.check("every request settled once; limits, order and scoping held", () => {
          expect(results.size).toBe(300);
          for (const [n, result] of results) {
            if (typeof result === "number") {
              expect(result).toBe(n);
              expect(applied).toContain(n);
              continue;
            }
            expect(result).toBeInstanceOf(BatchFailedError);
            const cause = (result as Error).cause;
            expect(cause instanceof ConnectionLostError || cause instanceof TimeoutError).toBe(
              true,
            );
          }
          // Applied in send order, each at most once.
          const inOrder = applied.filter((n) => n < 10_000);
          expect(inOrder).toEqual([...new Set(inOrder)].sort((a, b) => a - b));
          for (const batch of seen) {
            expect(batch.requests).toBeLessThanOrEqual(limits.batchCountMax);
            if (batch.requests > 1)
              expect(batch.encodedBytes).toBeLessThanOrEqual(limits.batchBytesMax);
          }
          expect(final.n).toBe(10_000);
          const metrics = (batcher as RequestBatcher<Message>).metrics;
          expect(metrics.requestsSucceeded + metrics.requestsFailed).toBe(301);
          expect(metrics.bufferedBytes).toBe(0);
        });
      },
      { file },
    );
  }, 120_000);
});
