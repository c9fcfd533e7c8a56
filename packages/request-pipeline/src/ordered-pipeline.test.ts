import { ConnectionLostError, RemoteError } from "@pods/single-socket-channel";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { flush, ManualTime, rejectionOf, track } from "../test/fakes.ts";
import { LoopbackChannel } from "../test/loopback.ts";
import { OrderedPipeline, type OrderedPipelineOptions } from "./ordered-pipeline.ts";
import { OrderedStreamReceiver } from "./ordered-stream-receiver.ts";
import type { SequencedRequest } from "./sequenced-request.ts";

type Wire = number | SequencedRequest<number>;

/** An ordered pipeline to a receiver that records what it applied, over a loopback channel. */
function setup(options: Partial<OrderedPipelineOptions> = {}) {
  const time = new ManualTime();
  const applied: { epoch: number; sequence: number; request: number }[] = [];
  let current: SequencedRequest<number> | undefined;
  const receiver = new OrderedStreamReceiver<number>((_from, request) => {
    if (current !== undefined) applied.push({ ...current, request });
    return request * 10;
  });
  const handler = receiver.requestHandler();
  const channel = new LoopbackChannel<Wire>((from, message) => {
    current = typeof message === "number" ? undefined : message;
    return handler(from, message);
  });
  const pipeline = new OrderedPipeline<number>(channel, {
    peer: "byzantium",
    env: { clock: time, scheduler: time, random: { float: () => 0.5, int: () => 7 } },
    streamId: "s1",
    requestTimeoutMs: 10_000,
    ...options,
  });
  /** Delivers and answers everything on the wire, in order. */
  const drain = async (): Promise<void> => {
    for (let round = 0; round < 1_000; round++) {
      await flush();
      const delivered = await channel.deliver();
      const answered = channel.answer();
      if (!delivered && !answered && channel.unanswered === 0) {
        await flush();
        if (channel.unanswered === 0) return;
      }
    }
  };
  return { time, channel, pipeline, receiver, applied, drain };
}

describe("OrderedPipeline", () => {
  it("numbers requests in send order and has them applied in that order", async () => {
    const { pipeline, applied, drain } = setup();
    const replies = [1, 2, 3, 4, 5, 6, 7].map((n) => pipeline.send(n));
    await drain();
    expect(await Promise.all(replies)).toEqual([10, 20, 30, 40, 50, 60, 70]);
    expect(applied.map(({ sequence }) => sequence)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(pipeline.position).toEqual({ streamId: "s1", epoch: 0, nextSequence: 7 });
  });

  it("resends from the first unacknowledged request after a lost connection, same numbers", async () => {
    const { channel, pipeline, receiver, applied, drain } = setup();
    const replies = [1, 2, 3, 4, 5].map((n) => pipeline.send(n));
    await flush();
    // Three reach the receiver and are applied; their answers are lost with the connection.
    for (let i = 0; i < 3; i++) await channel.deliver();
    channel.drop();
    await drain();
    expect(await Promise.all(replies)).toEqual([10, 20, 30, 40, 50]);
    expect(applied.map(({ request }) => request)).toEqual([1, 2, 3, 4, 5]);
    expect(receiver.metrics).toMatchObject({ applied: 5, duplicates: 3 });
    expect(pipeline.metrics).toMatchObject({ resent: 5, succeeded: 5 });
    expect(pipeline.position.epoch).toBe(0);
  });

  it("under fail-all fails what was unacknowledged and starts a new epoch", async () => {
    const { channel, pipeline, applied, drain } = setup({ onConnectionLoss: "fail-all" });
    const lost = [1, 2, 3].map((n) => rejectionOf(pipeline.send(n)));
    await flush();
    await channel.deliver();
    channel.drop();
    for (const error of await Promise.all(lost)) {
      expect(error).toBeInstanceOf(ConnectionLostError);
      expect((error as ConnectionLostError).outcome).toBe("indefinite");
    }
    expect(pipeline.position).toMatchObject({ epoch: 1, nextSequence: 0 });
    const next = [4, 5].map((n) => pipeline.send(n));
    await drain();
    expect(await Promise.all(next)).toEqual([40, 50]);
    expect(applied).toEqual([
      { type: "pods.sequenced", streamId: "s1", epoch: 0, sequence: 0, request: 1 },
      { type: "pods.sequenced", streamId: "s1", epoch: 1, sequence: 0, request: 4 },
      { type: "pods.sequenced", streamId: "s1", epoch: 1, sequence: 1, request: 5 },
    ]);
  });

  it("gives up after resendsMax and starts a new epoch", async () => {
    const { channel, pipeline, drain } = setup({ resendsMax: 2 });
    const reply = rejectionOf(pipeline.send(1));
    for (let attempt = 0; attempt < 3; attempt++) {
      await flush();
      channel.drop(`drop ${attempt}`);
    }
    const error = await reply;
    expect(error).toBeInstanceOf(ConnectionLostError);
    expect((error as ConnectionLostError).reason).toBe("drop 2");
    expect(pipeline.metrics).toMatchObject({ transmissions: 3, resent: 2 });
    expect(pipeline.position.epoch).toBe(1);
    const next = pipeline.send(2);
    await drain();
    expect(await next).toBe(20);
  });

  it("recovers when the receiver forgot the stream: the refused request starts a new epoch", async () => {
    const { channel, pipeline, drain } = setup();
    const first = pipeline.send(1);
    await drain();
    expect(await first).toBe(10);
    // The receiver restarts with an empty table: the stream's next request is a gap for it.
    const fresh = new OrderedStreamReceiver<number>((_from, request) => request * 100);
    const handler = fresh.requestHandler();
    channel.receive = (from, message) => handler(from, message);
    const refused = rejectionOf(pipeline.send(2));
    await drain();
    const error = await refused;
    expect(error).toBeInstanceOf(RemoteError);
    expect((error as RemoteError).remoteCode).toBe("OUT_OF_ORDER_SEQUENCE");
    expect((error as RemoteError).outcome).toBe("definite");
    expect(pipeline.position.epoch).toBe(1);
    const next = pipeline.send(3);
    await drain();
    expect(await next).toBe(300);
  });

  it("a request that times out unsent is not numbered; one that times out in flight ends the epoch when lost", async () => {
    const { time, channel, pipeline, applied, drain } = setup({
      inflightMax: 1,
      requestTimeoutMs: 100,
    });
    const inflight = rejectionOf(pipeline.send(1));
    const waiting = rejectionOf(pipeline.send(2));
    await time.advance(100);
    expect(await inflight).toMatchObject({ outcome: "indefinite" });
    expect(await waiting).toMatchObject({ outcome: "definite" });
    expect(pipeline.position).toMatchObject({ epoch: 0, nextSequence: 1 });
    channel.drop();
    await flush();
    // Request 1's fate is unknown and it will not be resent: its number may never be applied.
    expect(pipeline.position).toMatchObject({ epoch: 1, nextSequence: 0 });
    const next = pipeline.send(3);
    await drain();
    expect(await next).toBe(30);
    expect(applied.map(({ epoch, sequence }) => `${epoch}/${sequence}`)).toEqual(["1/0"]);
  });

  it("applies each stream's requests once and in order whatever the connection does (random schedules)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 5 }),
        fc.constantFrom("resend" as const, "fail-all" as const),
        fc.array(
          fc.oneof(
            fc.record({
              kind: fc.constant("send" as const),
              count: fc.integer({ min: 1, max: 4 }),
            }),
            fc.record({ kind: fc.constant("deliver" as const) }),
            fc.record({ kind: fc.constant("answer" as const) }),
            fc.record({ kind: fc.constant("drop" as const) }),
            fc.record({ kind: fc.constant("wait" as const), ms: fc.integer({ min: 1, max: 80 }) }),
          ),
          { maxLength: 60 },
        ),
        async (inflightMax, onConnectionLoss, steps) => {
          const { time, channel, pipeline, applied, drain } = setup({
            inflightMax,
            onConnectionLoss,
            requestTimeoutMs: 200,
            resendsMax: 3,
          });
          const outcomes: ReturnType<typeof track<number>>[] = [];
          let next = 0;
          for (const step of steps) {
            if (step.kind === "send") {
              for (let i = 0; i < step.count; i++) outcomes.push(track(pipeline.send(next++)));
            } else if (step.kind === "deliver") {
              await channel.deliver();
            } else if (step.kind === "answer") {
              channel.answer();
            } else if (step.kind === "drop") {
              channel.drop();
            } else {
              await time.advance(step.ms);
            }
            await flush();
            expect(pipeline.inflight).toBeLessThanOrEqual(inflightMax);
          }
          await drain();
          await time.advance(1_000);
          await drain();
          // Within each epoch: sequences 0, 1, 2, ... applied once each, epochs never going back.
          let epoch = -1;
          let expected = 0;
          for (const entry of applied) {
            if (entry.epoch !== epoch) {
              expect(entry.epoch).toBeGreaterThan(epoch);
              epoch = entry.epoch;
              expected = 0;
            }
            expect(entry.sequence).toBe(expected++);
          }
          // Each request applied at most once; a resolved one was applied, with its own answer.
          const appliedRequests = applied.map((entry) => entry.request);
          expect(new Set(appliedRequests).size).toBe(appliedRequests.length);
          for (const [n, outcome] of outcomes.entries()) {
            expect(outcome.state()).not.toBe("pending");
            if (outcome.state() === "resolved") {
              expect(outcome.value()).toBe(n * 10);
              expect(appliedRequests).toContain(n);
            }
          }
          // Requests were applied in send order.
          expect(appliedRequests).toEqual([...appliedRequests].sort((a, b) => a - b));
        },
      ),
      { numRuns: 200 },
    );
  });
});
