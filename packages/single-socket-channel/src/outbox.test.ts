import { describe, expect, it } from "vitest";
import { Outbox, type OutboundFrame } from "./outbox.ts";
import type { PendingRequest } from "./pending-request.ts";
import { kinds } from "./wire.ts";

function request(
  id: number,
  state: PendingRequest<string>["state"] = "queued",
): PendingRequest<string> {
  return {
    id,
    peer: "byzantium",
    state,
    connection: undefined,
    cancelTimeout: () => undefined,
    receiver: { response: () => undefined, failure: () => undefined },
  };
}

/** A one-way message frame whose payload (kind byte + body) takes `bytes` bytes. */
function frame(bytes: number, extra: Partial<OutboundFrame<string>> = {}): OutboundFrame<string> {
  return {
    kind: kinds.message,
    id: 0,
    body: new Uint8Array(bytes - 1),
    request: undefined,
    epoch: 0,
    ...extra,
  };
}

const sizes = (batch: { frames: OutboundFrame<string>[] }): number[] =>
  batch.frames.map((frame) => frame.body.length + 1);

describe("the send queue", () => {
  it("counts frame bytes with their headers and takes batches up to a byte limit", () => {
    const outbox = new Outbox<string>();
    for (let i = 0; i < 10; i++) outbox.push(frame(92));
    expect(outbox.bytes).toBe(1000);
    const first = outbox.takeBatch(350, 1);
    expect(first.frames.length).toBe(3);
    expect(first.bytes).toBe(300);
    expect(outbox.bytes).toBe(700);
    expect(outbox.length).toBe(7);
  });

  it("always takes at least one frame, however large", () => {
    const outbox = new Outbox<string>();
    outbox.push(frame(5000));
    expect(outbox.takeBatch(100, 1).frames.length).toBe(1);
    expect(outbox.bytes).toBe(0);
  });

  it("drops settled requests and answers meant for another connection, keeping order", () => {
    const outbox = new Outbox<string>();
    const live = request(1);
    outbox.push(frame(1, { kind: kinds.request, request: live }));
    outbox.push(frame(2, { kind: kinds.request, request: request(2, "settled") }));
    outbox.push(frame(3, { epoch: 4 }));
    outbox.push(frame(4, { epoch: 5 }));
    outbox.push(frame(5));
    const batch = outbox.takeBatch(1 << 20, 5);
    expect(sizes(batch)).toEqual([1, 4, 5]);
    expect(batch.frames[0]?.request).toBe(live);
    expect(outbox.length).toBe(0);
    expect(outbox.bytes).toBe(0);
  });

  it("clears, returning the requests and counting messages and answers", () => {
    const outbox = new Outbox<string>();
    const pending = request(1);
    outbox.push(frame(1, { request: pending }));
    outbox.push(frame(1));
    outbox.push(frame(1));
    outbox.push(frame(1, { epoch: 2 }));
    expect(outbox.clear()).toEqual({ requests: [pending], messages: 2, responses: 1 });
    expect(outbox.bytes).toBe(0);
  });

  it("stays correct across many pushes and takes (compaction)", () => {
    const outbox = new Outbox<string>();
    let next = 0;
    let expected = 0;
    for (let round = 0; round < 50; round++) {
      for (let i = 0; i < 100; i++) outbox.push(frame((next++ % 7) + 1));
      for (const size of sizes(outbox.takeBatch(8 * 60, 0)))
        expect(size).toBe((expected++ % 7) + 1);
    }
    while (outbox.length > 0) {
      for (const size of sizes(outbox.takeBatch(1 << 20, 0)))
        expect(size).toBe((expected++ % 7) + 1);
    }
    expect(expected).toBe(next);
  });
});
