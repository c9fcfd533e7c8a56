import { ClosedError, InvalidArgumentError, TimeoutError } from "@pods/core-interfaces";
import { ConnectionLostError, RemoteError } from "@pods/single-socket-channel";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FakeChannel, flush, ManualTime, rejectionOf, track } from "../test/fakes.ts";
import { PipelineFullError, PipelineProtocolError } from "./errors.ts";
import type { PipelineOptions } from "./options.ts";
import { PipelinedConnection } from "./pipelined-connection.ts";

function setup(options: Partial<PipelineOptions> = {}) {
  const time = new ManualTime();
  const channel = new FakeChannel<number>();
  const pipeline = new PipelinedConnection<number>(channel, {
    peer: "byzantium",
    env: { clock: time, scheduler: time },
    ...options,
  });
  return { time, channel, pipeline };
}

describe("PipelinedConnection", () => {
  it("keeps inflightMax requests on the channel and lets the rest wait in send order", async () => {
    const { channel, pipeline } = setup({ inflightMax: 3 });
    const replies = [1, 2, 3, 4, 5].map((n) => track(pipeline.send(n)));
    await flush();
    expect(channel.held.map((held) => held.message)).toEqual([1, 2, 3]);
    expect([pipeline.inflight, pipeline.waiting]).toEqual([3, 2]);
    channel.held[1]?.answer(20);
    await flush();
    expect(channel.held.map((held) => held.message)).toEqual([1, 2, 3, 4]);
    expect(replies[1]?.value()).toBe(20);
    for (const held of channel.pending()) held.answer(held.message * 10);
    await flush();
    for (const held of channel.pending()) held.answer(held.message * 10);
    await flush();
    expect(replies.map((reply) => reply.value())).toEqual([10, 20, 30, 40, 50]);
    expect(pipeline.metrics).toMatchObject({ sent: 5, succeeded: 5, inflightPeak: 3, inflight: 0 });
  });

  it("matches answers that arrive in reverse order to their own requests", async () => {
    const { channel, pipeline } = setup();
    const replies = [1, 2, 3, 4, 5].map((n) => pipeline.send(n));
    await flush();
    for (const held of [...channel.held].reverse()) held.answer(-held.message);
    expect(await Promise.all(replies)).toEqual([-1, -2, -3, -4, -5]);
  });

  it("passes the receiver's failures and lost connections through to their callers", async () => {
    const { channel, pipeline } = setup();
    const [remote, lost, fine] = [1, 2, 3].map((n) => rejectionOf(pipeline.send(n)));
    await flush();
    channel.held[0]?.fail(new RemoteError("byzantium", "INVALID_ARGUMENT", "no", "definite"));
    channel.held[2]?.answer(3);
    channel.disconnect("byzantium", "peer went away");
    expect(await remote).toBeInstanceOf(RemoteError);
    const error = await lost;
    expect(error).toBeInstanceOf(ConnectionLostError);
    expect((error as ConnectionLostError).outcome).toBe("indefinite");
    expect((error as Error).message).toContain("may or may not have been handled");
    expect(await fine).toBeUndefined();
  });

  it("rejects by policy when full, and bounds the sends waiting for a slot", async () => {
    const reject = setup({ inflightMax: 2, overflow: "reject" });
    void reject.pipeline.send(1);
    void reject.pipeline.send(2);
    const refused = await rejectionOf(reject.pipeline.send(3));
    expect(refused).toBeInstanceOf(PipelineFullError);
    expect(refused).toMatchObject({ limit: "inflightMax", outcome: "definite" });

    const wait = setup({ inflightMax: 1, waitingMax: 2 });
    for (const n of [1, 2, 3]) void wait.pipeline.send(n);
    expect(await rejectionOf(wait.pipeline.send(4))).toMatchObject({ limit: "waitingMax" });
    expect(wait.pipeline.metrics.rejectedFull).toBe(1);
  });

  it("times requests out from send: definite while waiting, indefinite once sent", async () => {
    const { time, channel, pipeline } = setup({ inflightMax: 1, requestTimeoutMs: 100 });
    const sent = rejectionOf(pipeline.send(1));
    await time.advance(50);
    const waiting = rejectionOf(pipeline.send(2));
    await time.advance(50);
    const first = await sent;
    expect(first).toBeInstanceOf(TimeoutError);
    expect(first).toMatchObject({ outcome: "indefinite", timeoutMs: 100 });
    // Its slot stays taken until the receiver answers: the second request still waits.
    expect([pipeline.inflight, pipeline.waiting]).toEqual([1, 1]);
    await time.advance(50);
    expect(await waiting).toMatchObject({ outcome: "definite" });
    expect(channel.held).toHaveLength(1);
    channel.held[0]?.answer(1);
    await flush();
    expect(pipeline.metrics).toMatchObject({ lateResponses: 1, timedOut: 2, inflight: 0 });
    expect(time.pending).toBe(0);
  });

  it("in strictOrder mode treats an answer out of order as a protocol error", async () => {
    const { channel, pipeline } = setup({ strictOrder: true });
    const replies = [1, 2, 3].map((n) => rejectionOf(pipeline.send(n)));
    await flush();
    channel.held[1]?.answer(2);
    const errors = await Promise.all(replies);
    expect(errors.every((error) => error instanceof PipelineProtocolError)).toBe(true);
    expect(channel.disconnects).toHaveLength(1);
    expect(channel.disconnects[0]).toContain("protocol error");
    expect(pipeline.metrics).toMatchObject({ protocolErrors: 1, inflight: 0 });
    // In order is fine.
    const next = [4, 5].map((n) => pipeline.send(n));
    await flush();
    for (const held of channel.pending()) held.answer(held.message);
    expect(await Promise.all(next)).toEqual([4, 5]);
  });

  it("in strictOrder mode resets the connection when a request times out", async () => {
    const { time, channel, pipeline } = setup({ strictOrder: true, requestTimeoutMs: 100 });
    const first = rejectionOf(pipeline.send(1));
    await time.advance(10);
    const second = rejectionOf(pipeline.send(2));
    await time.advance(90);
    expect(await first).toBeInstanceOf(TimeoutError);
    expect(await second).toBeInstanceOf(ConnectionLostError);
    expect(channel.disconnects[0]).toContain("request 1 timed out");
  });

  it("with an adaptive window probes with one request after a failure and grows back", async () => {
    const { channel, pipeline } = setup({ inflightMax: 8, adaptiveWindow: true });
    void rejectionOf(pipeline.send(0));
    await flush();
    channel.disconnect("byzantium");
    await flush();
    expect(pipeline.window).toBe(1);
    const replies = Array.from({ length: 10 }, (_, n) => pipeline.send(n));
    const windows: number[] = [];
    for (let round = 0; round < 5; round++) {
      await flush();
      windows.push(channel.pending().length);
      for (const held of channel.pending()) held.answer(held.message);
    }
    await Promise.all(replies);
    expect(windows).toEqual([1, 2, 4, 3, 0]);
    expect(pipeline.window).toBe(8);
  });

  it("sends heartbeats at once, past a full window", () => {
    const { channel, pipeline } = setup({ inflightMax: 1 });
    void pipeline.send(1);
    void pipeline.send(2);
    pipeline.heartbeat(99);
    expect(channel.messages).toEqual([99]);
    expect(pipeline.metrics.heartbeatsSent).toBe(1);
  });

  it("measures round-trip times on the monotonic clock", async () => {
    const { time, channel, pipeline } = setup();
    const replies = [1, 2].map((n) => pipeline.send(n));
    await time.advance(30);
    channel.held[0]?.answer(1);
    await time.advance(20);
    channel.held[1]?.answer(2);
    await Promise.all(replies);
    expect(pipeline.metrics).toMatchObject({
      roundTrips: 2,
      rttMsLast: 50,
      rttMsMin: 30,
      rttMsMax: 50,
      rttMsMean: 40,
    });
  });

  it("closes: waiting sends fail, requests in flight settle, later sends are refused", async () => {
    const { channel, pipeline } = setup({ inflightMax: 1 });
    const inflight = pipeline.send(1);
    const waiting = rejectionOf(pipeline.send(2));
    await flush();
    const closed = track(pipeline.close());
    expect(await waiting).toBeInstanceOf(ClosedError);
    await flush();
    expect(closed.state()).toBe("pending");
    channel.held[0]?.answer(1);
    expect(await inflight).toBe(1);
    await flush();
    expect(closed.state()).toBe("resolved");
    expect(await rejectionOf(pipeline.send(3))).toBeInstanceOf(ClosedError);
    expect(() => pipeline.heartbeat(4)).toThrow(ClosedError);
    expect(pipeline.closed).toBe(true);
  });

  it("validates its options", () => {
    const time = new ManualTime();
    const env = { clock: time, scheduler: time };
    const channel = new FakeChannel<number>();
    for (const bad of [
      { inflightMax: 0 },
      { inflightMax: 1.5 },
      { requestTimeoutMs: 0 },
      { requestTimeoutMs: Number.POSITIVE_INFINITY },
      { waitingMax: -1 },
      { overflow: "drop" as "wait" },
      { strictOrder: "yes" as unknown as boolean },
      { peer: "" },
    ]) {
      expect(() => new PipelinedConnection(channel, { peer: "byzantium", env, ...bad })).toThrow(
        InvalidArgumentError,
      );
    }
  });

  it("settles every request exactly once and never exceeds the window (random schedules)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 6 }),
        fc.array(
          fc.oneof(
            fc.record({
              kind: fc.constant("send" as const),
              count: fc.integer({ min: 1, max: 4 }),
            }),
            fc.record({ kind: fc.constant("answer" as const), pick: fc.nat() }),
            fc.record({ kind: fc.constant("fail" as const), pick: fc.nat() }),
            fc.record({ kind: fc.constant("drop" as const) }),
            fc.record({ kind: fc.constant("wait" as const), ms: fc.integer({ min: 1, max: 60 }) }),
          ),
          { maxLength: 40 },
        ),
        async (inflightMax, steps) => {
          const { time, channel, pipeline } = setup({ inflightMax, requestTimeoutMs: 100 });
          const outcomes: ReturnType<typeof track<number>>[] = [];
          let next = 0;
          for (const step of steps) {
            if (step.kind === "send") {
              for (let i = 0; i < step.count; i++) outcomes.push(track(pipeline.send(next++)));
            } else if (step.kind === "answer" || step.kind === "fail") {
              const pending = channel.pending();
              const held = pending[step.pick % Math.max(1, pending.length)];
              if (step.kind === "answer") held?.answer(held.message);
              else held?.fail(new RemoteError("byzantium", "X", "no", "definite"));
            } else if (step.kind === "drop") {
              channel.disconnect("byzantium");
            } else {
              await time.advance(step.ms);
            }
            await flush();
            expect(channel.pending().length).toBeLessThanOrEqual(inflightMax);
          }
          // The channel saw the requests in send order.
          const sentOrder = channel.held.map((held) => held.message);
          expect(sentOrder).toEqual([...sentOrder].sort((a, b) => a - b));
          await time.advance(200);
          for (const held of channel.pending()) held.answer(held.message);
          await flush();
          for (const [n, outcome] of outcomes.entries()) {
            expect(outcome.state()).not.toBe("pending");
            if (outcome.state() === "resolved") expect(outcome.value()).toBe(n);
          }
          const metrics = pipeline.metrics;
          expect(metrics.succeeded + metrics.failed).toBe(outcomes.length);
          expect(metrics.inflight).toBe(0);
        },
      ),
      { numRuns: 150 },
    );
  });
});
