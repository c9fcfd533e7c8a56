import { createMsgpackCodec } from "@pods/codec";
import { runSeeds, seedsFromEnv } from "@pods/simulation";
import { ConnectionLostError } from "@pods/single-socket-channel";
import { describe, expect, it } from "vitest";
import {
  BatchFailedError,
  BatchReceiver,
  isBatchRequest,
  RequestBatcher,
  type BatchRequest,
  type RequestBatcherOptions,
} from "../src/index.ts";
import {
  createWorld,
  numberOf,
  rejectionOf,
  type Message,
  type Wire,
  type WorldNode,
} from "./sim-world.ts";

// The acceptance scenarios of PATTERNS.md §29, in the simulator over many seeds: athens batches
// requests to byzantium over a single-socket channel on simulated TCP-like streams.

const file = import.meta.url;
const seedTimeoutMs = 120_000;
const codec = createMsgpackCodec<Message>();
const wireCodec = createMsgpackCodec<Wire>();

/** A batch as byzantium saw it arrive. */
interface SeenBatch {
  readonly atMs: number;
  readonly encodedBytes: number;
  readonly numbers: readonly number[];
}

/**
 * A world where byzantium stores puts through a BatchReceiver, recording each batch and each
 * request applied; `beforeApply` runs before each request is applied.
 */
function storeWorld(
  seed: number,
  options: {
    readonly latencyMs?: { readonly minMs: number; readonly maxMs: number };
    readonly beforeApply?: (n: number, node: WorldNode) => void;
  } = {},
) {
  const batches: SeenBatch[] = [];
  const applied: number[] = [];
  const world = createWorld(seed, ["athens", "byzantium"], {
    network: { latency: options.latencyMs ?? { minMs: 1, maxMs: 20 } },
    onBoot: (id, node) => {
      if (id !== "byzantium") return;
      const receiver = new BatchReceiver<Message>(
        (_from, request) => {
          options.beforeApply?.(request.n, node);
          applied.push(request.n);
          return { type: "stored", n: request.n };
        },
        { codec },
      );
      const handle = receiver.requestHandler();
      node.channel.onRequest((from, message) => {
        if (isBatchRequest(message)) {
          const batch = message as BatchRequest;
          batches.push({
            atMs: world.sim.now,
            encodedBytes: wireCodec.encode(batch).length,
            numbers: batch.items.map(({ body }) => codec.decode(body).n),
          });
        }
        return handle(from, message);
      });
    },
  });
  const batcher = (
    options: Partial<RequestBatcherOptions<Message>> = {},
  ): RequestBatcher<Message> => {
    const { channel, env } = world.node("athens").instance;
    return new RequestBatcher<Message>(channel, {
      peer: "byzantium",
      env,
      codec,
      ...options,
    });
  };
  return { ...world, batches, applied, batcher };
}

function put(n: number, padBytes = 0): Message {
  return padBytes === 0 ? { type: "put", n } : { type: "put", n, pad: "x".repeat(padBytes) };
}

describe("request batch: the book's scenarios", () => {
  it(
    "coalesces",
    async () => {
      await runSeeds(
        seedsFromEnv({ defaultCount: 10 }),
        async (seed) => {
          const { sim, node, ready, batcher } = storeWorld(seed);
          const scenario = sim.spawn("client", async () => {
            await ready();
            const sender = batcher();
            await sender.send(put(-1)); // the connection is up from here on
            const before = node("athens").instance.channel.metrics;
            const answers = await Promise.all(
              Array.from({ length: 100 }, async (_, n) => numberOf(await sender.send(put(n)))),
            );
            const after = node("athens").instance.channel.metrics;
            return {
              answers,
              messages: after.requestsSent - before.requestsSent,
              writes: after.writes - before.writes,
            };
          });
          const [outcome] = await sim.runUntilSettled([scenario], { timeoutMs: 10_000 });
          sim.check("100 requests in one turn take at most 3 network messages", () => {
            expect(outcome.answers).toEqual(Array.from({ length: 100 }, (_, n) => n));
            expect(outcome.messages).toBeLessThanOrEqual(3);
            expect(outcome.writes).toBeLessThanOrEqual(3);
          });
        },
        { file },
      );
    },
    seedTimeoutMs,
  );

  it(
    "lone-request-not-stuck",
    async () => {
      await runSeeds(
        seedsFromEnv({ defaultCount: 10 }),
        async (seed) => {
          const latencyMs = 10;
          const lingerMs = 5;
          const { sim, ready, batcher, batches } = storeWorld(seed, {
            latencyMs: { minMs: latencyMs, maxMs: latencyMs },
          });
          const scenario = sim.spawn("client", async () => {
            await ready();
            const sender = batcher({ lingerMs });
            await sender.send(put(-1));
            await sim.sleep(sim.random.int(0, 50));
            const sentAtMs = sim.now;
            const answer = numberOf(await sender.send(put(7)));
            return { sentAtMs, answer, answeredAtMs: sim.now, metrics: sender.metrics };
          });
          const [outcome] = await sim.runUntilSettled([scenario], { timeoutMs: 10_000 });
          sim.check("a single request goes after lingerMs, without waiting for more", () => {
            expect(outcome.answer).toBe(7);
            const lone = batches.at(-1);
            expect(lone?.numbers).toEqual([7]);
            expect(lone?.atMs).toBe(outcome.sentAtMs + lingerMs + latencyMs);
            expect(outcome.answeredAtMs).toBe(outcome.sentAtMs + lingerMs + 2 * latencyMs);
            expect(outcome.metrics.flushes.linger).toBe(2);
            expect(outcome.metrics.lingerMsMax).toBe(lingerMs);
          });
        },
        { file },
      );
    },
    seedTimeoutMs,
  );

  it(
    "byte-limit",
    async () => {
      await runSeeds(
        seedsFromEnv({ defaultCount: 10 }),
        async (seed) => {
          const { sim, ready, batcher, batches, applied } = storeWorld(seed);
          const scenario = sim.spawn("client", async () => {
            await ready();
            const sender = batcher({ batchBytesMax: 16 * 1024 });
            const sizes: number[] = [];
            for (let total = 0; total < 50 * 1024;) {
              const size = sim.random.int(10, 4_000);
              sizes.push(size);
              total += size;
            }
            const answers = await Promise.all(
              sizes.map(async (size, n) => numberOf(await sender.send(put(n, size)))),
            );
            return { count: sizes.length, answers };
          });
          const [outcome] = await sim.runUntilSettled([scenario], { timeoutMs: 10_000 });
          sim.check("at least 4 batches, none over 16 KiB, order preserved", () => {
            const expected = Array.from({ length: outcome.count }, (_, n) => n);
            expect(outcome.answers).toEqual(expected);
            expect(batches.length).toBeGreaterThanOrEqual(4);
            for (const batch of batches) expect(batch.encodedBytes).toBeLessThanOrEqual(16 * 1024);
            expect(batches.flatMap((batch) => batch.numbers)).toEqual(expected);
            expect(applied).toEqual(expected);
          });
        },
        { file },
      );
    },
    seedTimeoutMs,
  );

  it(
    "transport-failure-scoped",
    async () => {
      await runSeeds(
        seedsFromEnv({ defaultCount: 10 }),
        async (seed) => {
          // Three batches of 10, one in flight at a time; the connection drops while byzantium
          // handles batch 2.
          let dropAt = -1;
          let dropped = false;
          const { sim, ready, batcher, applied } = storeWorld(seed, {
            beforeApply: (n, { channel }) => {
              if (n !== dropAt || dropped) return;
              dropped = true;
              channel.disconnect("athens", "dropped by the test");
            },
          });
          const scenario = sim.spawn("client", async () => {
            await ready();
            dropAt = 10 + sim.random.int(0, 10);
            const sender = batcher({ batchCountMax: 10, inflightBatchesMax: 1 });
            const outcomes = await Promise.all(
              Array.from({ length: 30 }, (_, n) => rejectionOf(sender.send(put(n)))),
            );
            return { outcomes, metrics: sender.metrics };
          });
          const [outcome] = await sim.runUntilSettled([scenario], { timeoutMs: 10_000 });
          sim.check("all of batch 2's requests fail; batches 1 and 3 succeed", () => {
            expect(dropped).toBe(true);
            expect(outcome.outcomes.slice(0, 10)).toEqual(Array(10).fill(undefined));
            for (const error of outcome.outcomes.slice(10, 20)) {
              expect(error).toBeInstanceOf(BatchFailedError);
              expect((error as BatchFailedError).batch).toBe(2);
              expect((error as BatchFailedError).outcome).toBe("indefinite");
              expect((error as Error).cause).toBeInstanceOf(ConnectionLostError);
            }
            expect(outcome.outcomes.slice(20)).toEqual(Array(10).fill(undefined));
            expect(outcome.metrics).toMatchObject({ batchesSent: 3, batchesFailed: 1 });
            // Batch 3 was applied after what reached byzantium of batch 2, in order.
            expect(applied.slice(-10)).toEqual(Array.from({ length: 10 }, (_, n) => 20 + n));
          });
        },
        { file },
      );
    },
    seedTimeoutMs,
  );
});
