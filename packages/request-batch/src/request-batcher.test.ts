import { createMsgpackCodec } from "@pods/codec";
import {
  ClosedError,
  DecodeError,
  InvalidArgumentError,
  TimeoutError,
} from "@pods/core-interfaces";
import { ConnectionLostError, RemoteError } from "@pods/single-socket-channel";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { flush, HoldingChannel, ManualTime, rejectionOf } from "../test/fakes.ts";
import {
  batchEnvelopeBytes,
  batchItemOverheadBytes,
  isBatchRequest,
  type BatchItem,
  type BatchRequest,
  type BatchWire,
} from "./batch-message.ts";
import { BatchReceiver } from "./batch-receiver.ts";
import { BatchFailedError, BufferFullError } from "./errors.ts";
import type { RequestBatcherOptions } from "./options.ts";
import { RequestBatcher } from "./request-batcher.ts";

type Message = { readonly n: number; readonly pad?: string };
type Wire = BatchWire<Message>;

const codec = createMsgpackCodec<Message>();
const wireCodec = createMsgpackCodec<Wire>();

/** The items of a batch the channel carried. */
function itemsOf(message: Wire): readonly BatchItem[] {
  if (!isBatchRequest(message)) throw new Error("not a batch request");
  return (message as BatchRequest).items;
}

function setup(options: Partial<RequestBatcherOptions<Message>> = {}) {
  const time = new ManualTime();
  const channel = new HoldingChannel<Wire>(time);
  const batcher = new RequestBatcher<Message>(channel, {
    peer: "byzantium",
    env: { clock: time, scheduler: time },
    codec,
    ...options,
  });
  const receiver = new BatchReceiver<Message>(
    (_from, request) => {
      if (request.n < 0) throw new InvalidArgumentError(`negative ${request.n}`);
      return { n: request.n * 2 };
    },
    { codec },
  );
  /** Answers every batch on the channel through the receiver. */
  const answerAll = async (): Promise<void> => {
    for (const held of channel.pending()) {
      held.answer(receiver.handleBatch("athens", held.message as never));
    }
    await flush();
  };
  /** The numbers in each batch sent so far. */
  const batches = (): number[][] =>
    channel.held.map((held) => itemsOf(held.message).map(({ body }) => codec.decode(body).n));
  return { time, channel, batcher, receiver, answerAll, batches };
}

describe("RequestBatcher", () => {
  it("coalesces requests sent together, by count, and sends a partial batch after lingerMs", async () => {
    const { time, batcher, answerAll, batches } = setup({ batchCountMax: 64, lingerMs: 5 });
    const replies = Array.from({ length: 100 }, (_, n) => batcher.send({ n }));
    await flush();
    expect(batches().map((batch) => batch.length)).toEqual([64]);
    await time.advance(4);
    expect(batches()).toHaveLength(1);
    await time.advance(1);
    expect(batches().map((batch) => batch.length)).toEqual([64, 36]);
    await answerAll();
    expect(await Promise.all(replies)).toEqual(
      Array.from({ length: 100 }, (_, n) => ({ n: 2 * n })),
    );
    expect(batches().flat()).toEqual(Array.from({ length: 100 }, (_, n) => n));
    expect(batcher.metrics).toMatchObject({
      requestsSent: 100,
      requestsSucceeded: 100,
      batchesSent: 2,
      flushes: { count: 1, linger: 1, bytes: 0, explicit: 0, close: 0 },
      lingerMsMax: 5,
      batchRequestsHistogram: [0, 0, 0, 0, 0, 1, 1],
      bufferedBytes: 0,
      inflightBatches: 0,
    });
  });

  it("checks 'would exceed' before adding: no batch passes batchBytesMax, an oversized request goes alone", async () => {
    const batchBytesMax = 1_024;
    const { time, batcher, channel, answerAll } = setup({ batchBytesMax, lingerMs: 0 });
    const sizes = [280, 280, 280, 280, 2_000, 10, 500, 500];
    const replies = sizes.map((size, n) => batcher.send({ n, pad: "x".repeat(size) }));
    await time.advance(0);
    const sent = channel.held.map((held) => held.message);
    expect(sent.map((batch) => itemsOf(batch).length)).toEqual([3, 1, 1, 2, 1]);
    for (const batch of sent) {
      const items = itemsOf(batch);
      if (items.length > 1)
        expect(wireCodec.encode(batch).length).toBeLessThanOrEqual(batchBytesMax);
    }
    await answerAll();
    expect((await Promise.all(replies)).map(({ n }) => n)).toEqual(sizes.map((_, n) => 2 * n));
    expect(batcher.metrics.flushes).toMatchObject({ bytes: 4, linger: 1 });
  });

  it("with lingerMs 0 batches everything sent in one turn, on the next scheduler turn", async () => {
    const { time, batcher, batches } = setup({ lingerMs: 0 });
    for (let n = 0; n < 10; n++) void batcher.send({ n });
    await Promise.resolve();
    expect(batches()).toHaveLength(0);
    await time.advance(0);
    expect(batches()).toEqual([[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]]);
  });

  it("flushes on demand", async () => {
    const { batcher, batches } = setup({ lingerMs: 1_000 });
    void batcher.send({ n: 1 });
    batcher.flush();
    await flush();
    expect(batches()).toEqual([[1]]);
    expect(batcher.metrics.flushes.explicit).toBe(1);
  });

  it("fails every request of a failed batch with the cause, and leaves other batches alone", async () => {
    const { batcher, channel, answerAll, time } = setup({ batchCountMax: 2 });
    const replies = [1, 2, 3, 4, 5, 6].map((n) => rejectionOf(batcher.send({ n })));
    await time.advance(1);
    const cause = new ConnectionLostError("byzantium", "peer went away");
    channel.held[1]?.fail(cause);
    await answerAll();
    const errors = await Promise.all(replies);
    expect(errors[0]).toBeUndefined();
    expect(errors[1]).toBeUndefined();
    for (const error of errors.slice(2, 4)) {
      expect(error).toBeInstanceOf(BatchFailedError);
      expect(error).toMatchObject({ batch: 2, outcome: "indefinite", cause });
      expect((error as Error).message).toContain("may or may not have been applied");
    }
    expect(errors.slice(4)).toEqual([undefined, undefined]);
    expect(batcher.metrics).toMatchObject({
      batchesFailed: 1,
      requestsFailed: 2,
      requestsSucceeded: 4,
    });
  });

  it("fails only the request the receiver failed, with its code and outcome", async () => {
    const { batcher, answerAll, time } = setup();
    const replies = [1, -2, 3].map((n) => rejectionOf(batcher.send({ n })));
    await time.advance(1);
    await answerAll();
    const [first, second, third] = await Promise.all(replies);
    expect([first, third]).toEqual([undefined, undefined]);
    expect(second).toBeInstanceOf(RemoteError);
    expect(second).toMatchObject({ remoteCode: "INVALID_ARGUMENT", outcome: "definite" });
  });

  it("fails a batch whose answer does not match it", async () => {
    const { batcher, channel, time } = setup();
    const replies = [1, 2].map((n) => rejectionOf(batcher.send({ n })));
    await time.advance(1);
    channel.held[0]?.answer({
      type: "pods.batch-response",
      items: [{ id: 1, ok: codec.encode({ n: 2 }) }],
    });
    for (const error of await Promise.all(replies)) {
      expect(error).toBeInstanceOf(BatchFailedError);
      expect((error as Error).cause).toBeInstanceOf(DecodeError);
    }
  });

  it("fails the requests of a batch that is not answered in time", async () => {
    const { batcher, time } = setup({ batchTimeoutMs: 100 });
    const reply = rejectionOf(batcher.send({ n: 1 }));
    await time.advance(101);
    const error = await reply;
    expect(error).toBeInstanceOf(BatchFailedError);
    expect((error as Error).cause).toBeInstanceOf(TimeoutError);
    expect((error as BatchFailedError).outcome).toBe("indefinite");
  });

  it("makes sends wait in order beyond bufferedBytesMax, or refuses them by policy", async () => {
    const itemBytes = codec.encode({ n: 1, pad: "x".repeat(100) }).length + batchItemOverheadBytes;
    const bufferedBytesMax = 3 * itemBytes + batchEnvelopeBytes;
    const big = (n: number): Message => ({ n, pad: "x".repeat(100) });
    const waiting = setup({ bufferedBytesMax, batchBytesMax: bufferedBytesMax, lingerMs: 0 });
    const replies = [1, 2, 3, 4, 5].map((n) => waiting.batcher.send(big(n)));
    await waiting.time.advance(0);
    expect(waiting.batcher.metrics).toMatchObject({
      waitingSends: 2,
      bufferedBytes: 3 * itemBytes,
    });
    await waiting.answerAll();
    await waiting.time.advance(0);
    await waiting.answerAll();
    expect((await Promise.all(replies)).map(({ n }) => n)).toEqual([2, 4, 6, 8, 10]);
    expect(waiting.batches()).toEqual([
      [1, 2, 3],
      [4, 5],
    ]);

    const rejecting = setup({
      bufferedBytesMax,
      batchBytesMax: bufferedBytesMax,
      overflow: "reject",
    });
    for (const n of [1, 2, 3]) void rejecting.batcher.send(big(n));
    expect(await rejectionOf(rejecting.batcher.send(big(4)))).toMatchObject({
      limit: "bufferedBytesMax",
      outcome: "definite",
    });
    const bounded = setup({
      bufferedBytesMax,
      batchBytesMax: bufferedBytesMax,
      waitingSendsMax: 1,
    });
    for (const n of [1, 2, 3, 4]) void bounded.batcher.send(big(n));
    expect(await rejectionOf(bounded.batcher.send(big(5)))).toBeInstanceOf(BufferFullError);
    expect(
      await rejectionOf(bounded.batcher.send({ n: 6, pad: "x".repeat(bufferedBytesMax) })),
    ).toBeInstanceOf(InvalidArgumentError);
  });

  it("closes: sends the batch being filled, refuses later sends, resolves when all settled", async () => {
    const { batcher, answerAll, batches } = setup({ lingerMs: 1_000 });
    const reply = batcher.send({ n: 1 });
    let closed = false;
    const closing = batcher.close().then(() => (closed = true));
    await flush();
    expect(batches()).toEqual([[1]]);
    expect(closed).toBe(false);
    await answerAll();
    await closing;
    expect(await reply).toEqual({ n: 2 });
    expect(await rejectionOf(batcher.send({ n: 2 }))).toBeInstanceOf(ClosedError);
    expect(batcher.metrics.flushes.close).toBe(1);
    expect(batcher.closed).toBe(true);
  });

  it("validates its options", () => {
    const time = new ManualTime();
    const channel = new HoldingChannel<Wire>(time);
    const base = { peer: "byzantium", env: { clock: time, scheduler: time }, codec };
    for (const bad of [
      { batchBytesMax: batchEnvelopeBytes + batchItemOverheadBytes },
      { batchCountMax: 0 },
      { lingerMs: -1 },
      { lingerMs: Number.NaN },
      { bufferedBytesMax: 100, batchBytesMax: 1_000 },
      { overflow: "drop" as "wait" },
      { inflightBatchesMax: 0 },
      { batchTimeoutMs: 0 },
      { codec: {} as typeof codec },
    ]) {
      expect(() => new RequestBatcher(channel, { ...base, ...bad })).toThrow(InvalidArgumentError);
    }
  });

  it("keeps limits and order, and settles every request with its own answer (random workloads)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          batchBytesMax: fc.integer({ min: 100, max: 2_000 }),
          batchCountMax: fc.integer({ min: 1, max: 20 }),
          lingerMs: fc.integer({ min: 0, max: 5 }),
        }),
        fc.array(
          fc.record({
            size: fc.integer({ min: 0, max: 2_500 }),
            pauseMs: fc.integer({ min: 0, max: 3 }),
          }),
          { minLength: 1, maxLength: 60 },
        ),
        async (limits, sends) => {
          const { time, batcher, channel, answerAll, batches } = setup(limits);
          const replies: Promise<Message>[] = [];
          for (const [n, { size, pauseMs }] of sends.entries()) {
            replies.push(batcher.send({ n, pad: "x".repeat(size) }));
            if (pauseMs > 0) await time.advance(pauseMs);
            if (n % 7 === 0) await answerAll();
          }
          // Answer until nothing is left: batches beyond the pipeline's window go out as others end.
          for (let round = 0; round < 100; round++) {
            await time.advance(10);
            await answerAll();
            if (channel.pending().length === 0 && batcher.metrics.inflightBatches === 0) break;
          }
          const answers = await Promise.all(replies);
          expect(answers.map(({ n }) => n)).toEqual(sends.map((_, n) => 2 * n));
          expect(batches().flat()).toEqual(sends.map((_, n) => n));
          for (const held of channel.held) {
            const items = itemsOf(held.message);
            expect(items.length).toBeLessThanOrEqual(limits.batchCountMax);
            if (items.length > 1) {
              expect(wireCodec.encode(held.message).length).toBeLessThanOrEqual(
                limits.batchBytesMax,
              );
            }
          }
        },
      ),
      { numRuns: 40 },
    );
  }, 60_000);
});
