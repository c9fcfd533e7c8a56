import { DecodeError, InvalidArgumentError, InvariantError } from "@pods/core-interfaces";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DuplicateSequenceError, OutOfOrderSequenceError } from "./errors.ts";
import { OrderedStreamReceiver } from "./ordered-stream-receiver.ts";
import { SequenceTracker } from "./sequence-tracker.ts";

/** Admits and completes one request; returns what happened. */
function offer(tracker: SequenceTracker<string>, stream: string, epoch: number, sequence: number) {
  try {
    const admission = tracker.admit(stream, epoch, sequence);
    if (admission.kind === "duplicate") return `dup:${admission.answer}`;
    tracker.complete(stream, epoch, sequence, `${epoch}/${sequence}`);
    return "applied";
  } catch (error) {
    if (error instanceof OutOfOrderSequenceError) return "refused";
    if (error instanceof DuplicateSequenceError) return "uncached";
    throw error;
  }
}

describe("SequenceTracker", () => {
  it("applies the expected sequence, answers duplicates from the cache, refuses gaps", () => {
    const tracker = new SequenceTracker<string>({ responsesCachedMax: 2 });
    expect(offer(tracker, "s", 0, 1)).toBe("refused"); // a new stream starts at 0
    expect(offer(tracker, "s", 0, 0)).toBe("applied");
    expect(offer(tracker, "s", 0, 1)).toBe("applied");
    expect(offer(tracker, "s", 0, 3)).toBe("refused");
    expect(offer(tracker, "s", 0, 2)).toBe("applied");
    expect(offer(tracker, "s", 0, 2)).toBe("dup:0/2");
    expect(offer(tracker, "s", 0, 1)).toBe("dup:0/1");
    expect(offer(tracker, "s", 0, 0)).toBe("uncached");
    expect(tracker.stream("s")).toEqual({ epoch: 0, expected: 3, applying: false });
    expect(tracker.metrics).toMatchObject({
      applied: 3,
      duplicates: 2,
      refusedGaps: 2,
      refusedUncached: 1,
      streams: 1,
    });
  });

  it("starts a stream afresh at a newer epoch and refuses older epochs", () => {
    const tracker = new SequenceTracker<string>();
    offer(tracker, "s", 0, 0);
    offer(tracker, "s", 0, 1);
    expect(offer(tracker, "s", 2, 1)).toBe("refused");
    expect(offer(tracker, "s", 2, 0)).toBe("applied");
    expect(offer(tracker, "s", 0, 2)).toBe("refused");
    expect(offer(tracker, "s", 1, 0)).toBe("refused");
    expect(tracker.stream("s")).toMatchObject({ epoch: 2, expected: 1 });
    expect(tracker.metrics).toMatchObject({ refusedStale: 2, refusedGaps: 1 });
  });

  it("says in its refusal what it expected", () => {
    const tracker = new SequenceTracker<string>();
    offer(tracker, "s", 3, 0);
    const refusal = (() => {
      try {
        tracker.admit("s", 3, 5);
      } catch (error) {
        return error as OutOfOrderSequenceError;
      }
      return undefined;
    })();
    expect(refusal?.expected).toEqual({ epoch: 3, sequence: 1 });
    expect(refusal?.received).toEqual({ epoch: 3, sequence: 5 });
    expect(refusal?.outcome).toBe("definite");
    expect(refusal?.message).toContain("expected sequence 1 of epoch 3 but got 5");
  });

  it("forgets the least recently used stream beyond streamsMax", () => {
    const tracker = new SequenceTracker<string>({ streamsMax: 2 });
    offer(tracker, "a", 0, 0);
    offer(tracker, "b", 0, 0);
    offer(tracker, "a", 0, 1);
    offer(tracker, "c", 0, 0);
    expect(tracker.stream("b")).toBeUndefined();
    expect(tracker.stream("a")).toMatchObject({ expected: 2 });
    expect(tracker.metrics).toMatchObject({ evicted: 1, streams: 2 });
  });

  it("refuses to admit a stream again while its request is being applied", () => {
    const tracker = new SequenceTracker<string>();
    tracker.admit("s", 0, 0);
    expect(() => tracker.admit("s", 0, 1)).toThrow(InvariantError);
    expect(() => tracker.complete("s", 0, 5, "x")).toThrow(InvariantError);
  });

  it("validates its options", () => {
    expect(() => new SequenceTracker({ streamsMax: 0 })).toThrow(InvalidArgumentError);
    expect(() => new SequenceTracker({ responsesCachedMax: 0 })).toThrow(InvalidArgumentError);
  });

  it("agrees with a model under random arrivals: never applies n + 1 before n, nor twice", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.array(
          fc.record({
            stream: fc.constantFrom("a", "b"),
            epoch: fc.integer({ min: 0, max: 3 }),
            sequence: fc.integer({ min: 0, max: 12 }),
          }),
          { maxLength: 200 },
        ),
        (cachedMax, arrivals) => {
          const tracker = new SequenceTracker<string>({ responsesCachedMax: cachedMax });
          const model = new Map<string, { epoch: number; expected: number }>();
          for (const { stream, epoch, sequence } of arrivals) {
            const state = model.get(stream);
            let expected: string;
            if (state === undefined || epoch > state.epoch) {
              expected = sequence === 0 ? "applied" : "refused";
              if (sequence === 0) model.set(stream, { epoch, expected: 1 });
            } else if (epoch < state.epoch || sequence > state.expected) {
              expected = "refused";
            } else if (sequence === state.expected) {
              expected = "applied";
              state.expected++;
            } else {
              expected =
                state.expected - sequence <= Math.min(state.expected, cachedMax)
                  ? `dup:${epoch}/${sequence}`
                  : "uncached";
            }
            expect(offer(tracker, stream, epoch, sequence)).toBe(expected);
          }
        },
      ),
    );
  });
});

describe("OrderedStreamReceiver", () => {
  it("replays a failed request's error to its duplicate instead of applying it again", async () => {
    let calls = 0;
    const receiver = new OrderedStreamReceiver<number>(() => {
      calls++;
      throw new InvalidArgumentError("odd request");
    });
    const message = {
      type: "pods.sequenced",
      streamId: "s",
      epoch: 0,
      sequence: 0,
      request: 1,
    } as const;
    await expect(receiver.handle("athens", message)).rejects.toThrow("odd request");
    await expect(receiver.handle("athens", message)).rejects.toThrow("odd request");
    expect(calls).toBe(1);
    expect(receiver.stream("s")).toMatchObject({ expected: 1 });
  });

  it("passes unsequenced requests straight to the handler and refuses malformed sequenced ones", async () => {
    const receiver = new OrderedStreamReceiver<number>((_from, request) => request + 1);
    const handler = receiver.requestHandler();
    expect(await handler("athens", 41)).toBe(42);
    const malformed = { type: "pods.sequenced", streamId: "s", epoch: -1, sequence: 0, request: 1 };
    await expect(handler("athens", malformed as never)).rejects.toBeInstanceOf(DecodeError);
    expect(receiver.metrics.applied).toBe(0);
  });
});
