import { createMsgpackCodec } from "@pods/codec";
import { DecodeError, delay, InvalidArgumentError, NotLeaderError } from "@pods/core-interfaces";
import { describe, expect, it } from "vitest";
import { ManualTime } from "../test/fakes.ts";
import {
  assertBatchResponse,
  batchRequestType,
  batchResponseType,
  type BatchRequest,
} from "./batch-message.ts";
import { BatchReceiver } from "./batch-receiver.ts";

type Message = { readonly n: number };
const codec = createMsgpackCodec<Message>();

function batchOf(...numbers: number[]): BatchRequest {
  return {
    type: batchRequestType,
    items: numbers.map((n, index) => ({ id: index + 1, body: codec.encode({ n }) })),
  };
}

describe("BatchReceiver", () => {
  it("handles a batch's requests one at a time, in order, and answers each in place", async () => {
    const time = new ManualTime();
    const log: string[] = [];
    const receiver = new BatchReceiver<Message>(
      async (_from, { n }) => {
        log.push(`start ${n}`);
        await delay(time, 10 - n);
        log.push(`end ${n}`);
        return { n: n * 10 };
      },
      { codec },
    );
    const answer = receiver.handleBatch("athens", batchOf(1, 2, 3));
    await time.advance(30);
    const response = await answer;
    expect(log).toEqual(["start 1", "end 1", "start 2", "end 2", "start 3", "end 3"]);
    expect(response.type).toBe(batchResponseType);
    expect(response.items.map((item) => ("ok" in item ? codec.decode(item.ok).n : -1))).toEqual([
      10, 20, 30,
    ]);
    expect(() => assertBatchResponse(response, batchOf(1, 2, 3))).not.toThrow();
  });

  it("fails only the requests that fail, keeping their code and outcome", async () => {
    const receiver = new BatchReceiver<Message>(
      (_from, { n }) => {
        if (n === 2) throw new NotLeaderError("cyrene");
        if (n === 3) throw new Error("plain failure");
        return { n };
      },
      { codec },
    );
    const batch: BatchRequest = {
      type: batchRequestType,
      items: [...batchOf(1, 2, 3).items, { id: 4, body: Uint8Array.of(0xc1) }],
    };
    const response = await receiver.handleBatch("athens", batch);
    const anyMessage: unknown = expect.any(String);
    expect(response.items).toEqual([
      { id: 1, ok: codec.encode({ n: 1 }) },
      { id: 2, error: { code: "NOT_LEADER", message: anyMessage, outcome: "definite" } },
      { id: 3, error: { code: "ERROR", message: "plain failure", outcome: "indefinite" } },
      { id: 4, error: { code: "DECODE", message: anyMessage, outcome: "definite" } },
    ]);
    expect(receiver.metrics).toEqual({
      batches: 1,
      batchedRequests: 4,
      singleRequests: 0,
      failedRequests: 3,
    });
  });

  it("still accepts requests sent alone, and refuses malformed or oversized batches whole", async () => {
    let handled = 0;
    const receiver = new BatchReceiver<Message>(
      (_from, { n }) => {
        handled++;
        return { n: n + 1 };
      },
      { codec, batchRequestsMax: 2 },
    );
    const handler = receiver.requestHandler();
    expect(await handler("athens", { n: 41 })).toEqual({ n: 42 });
    await expect(handler("athens", batchOf(1, 2, 3))).rejects.toBeInstanceOf(DecodeError);
    const malformed = { type: batchRequestType, items: [{ id: "x", body: 5 }] };
    await expect(handler("athens", malformed as never)).rejects.toBeInstanceOf(DecodeError);
    expect(() => handler("athens", { type: batchResponseType, items: [] })).toThrow(DecodeError);
    expect(handled).toBe(1);
    expect(receiver.metrics.singleRequests).toBe(1);
  });

  it("validates its options", () => {
    expect(
      () => new BatchReceiver<Message>((_from, m) => m, { codec: {} as typeof codec }),
    ).toThrow(InvalidArgumentError);
    expect(
      () => new BatchReceiver<Message>((_from, m) => m, { codec, batchRequestsMax: 0 }),
    ).toThrow(InvalidArgumentError);
  });
});
