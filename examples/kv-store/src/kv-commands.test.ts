import { createMsgpackCodec } from "@pods/codec";
import { DecodeError, InvalidArgumentError } from "@pods/core-interfaces";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { keyBytesMax, kvCommandCodec, kvResultCodec, type KvCommand } from "./kv-commands.ts";

const key = fc.string({ unit: "grapheme", minLength: 1, maxLength: 40 });
const command: fc.Arbitrary<KvCommand> = fc.oneof(
  fc.record({ op: fc.constant("put" as const), key, value: fc.uint8Array({ maxLength: 64 }) }),
  fc.record({ op: fc.constant("delete" as const), key }),
);

describe("kvCommandCodec", () => {
  it("decodes what it encodes, any key and value", () => {
    fc.assert(
      fc.property(command, (one) => {
        expect(kvCommandCodec.decode(kvCommandCodec.encode(one))).toEqual(one);
      }),
    );
  });

  it("never lets a decoded value pin a buffer larger than its command", () => {
    const small = kvCommandCodec.encode({ op: "put", key: "k", value: Uint8Array.of(1, 2) });
    const fromSmall = kvCommandCodec.decode(small);
    small.fill(0);
    expect(fromSmall).toEqual({ op: "put", key: "k", value: Uint8Array.of(1, 2) });

    const value = new Uint8Array(200).fill(9);
    const bytes = kvCommandCodec.encode({ op: "put", key: "k", value });
    // A command inside a large buffer (a socket read holding many): the value is a copy.
    const page = new Uint8Array(bytes.length + 4096);
    page.set(bytes, 100);
    const fromPage = kvCommandCodec.decode(page.subarray(100, 100 + bytes.length));
    expect(fromPage.op === "put" && fromPage.value.buffer).not.toBe(page.buffer);
    expect(fromPage).toEqual({ op: "put", key: "k", value });
    // A command that is its whole buffer: the value is a view of it, with nothing else pinned.
    const own = kvCommandCodec.decode(bytes);
    expect(own.op === "put" && own.value.buffer).toBe(bytes.buffer);
    expect(own).toEqual({ op: "put", key: "k", value });
  });

  it("refuses to encode an empty or too long key, or a value that is not bytes", () => {
    expect(() => kvCommandCodec.encode({ op: "delete", key: "" })).toThrow(InvalidArgumentError);
    const long = "k".repeat(keyBytesMax + 1);
    expect(() => kvCommandCodec.encode({ op: "delete", key: long })).toThrow(/at most 1024/);
    const notBytes = { op: "put", key: "k", value: "v" } as unknown as KvCommand;
    expect(() => kvCommandCodec.encode(notBytes)).toThrow(InvalidArgumentError);
  });

  it("answers malformed bytes with a DecodeError saying what is wrong", () => {
    const cases: [number[], RegExp][] = [
      [[], /op is missing/],
      [[1, 5, 0x61], /key claims 5 bytes but only 1 remain/],
      [[1, 0], /the key is not valid/],
      [[1, 1, 0xff], /not valid UTF-8/],
      [[2, 1, 0x61, 0x62], /1 trailing byte/],
      [[9, 1, 0x61], /unknown op 9/],
    ];
    for (const [bytes, problem] of cases) {
      const decode = () => kvCommandCodec.decode(Uint8Array.from(bytes));
      expect(decode).toThrow(DecodeError);
      expect(decode).toThrow(problem);
    }
  });

  it("still reads commands logged as MessagePack before the binary form", () => {
    const legacy = createMsgpackCodec<unknown>();
    const put = legacy.encode({ op: "put", key: "k", value: Uint8Array.of(7) });
    expect(kvCommandCodec.decode(put)).toEqual({ op: "put", key: "k", value: Uint8Array.of(7) });
    expect(kvCommandCodec.decode(legacy.encode({ op: "delete", key: "k" }))).toEqual({
      op: "delete",
      key: "k",
    });
    expect(() => kvCommandCodec.decode(legacy.encode({ op: "patch", key: "k" }))).toThrow(
      DecodeError,
    );
  });
});

describe("kvResultCodec", () => {
  it("decodes what it encodes: versions up to 2^53 - 1, and rejections", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.record({ version: fc.maxSafeNat(), existed: fc.boolean() }),
          fc.record({ rejected: fc.string() }),
        ),
        (result) => {
          expect(kvResultCodec.decode(kvResultCodec.encode(result))).toEqual(result);
        },
      ),
    );
  });

  it("answers malformed bytes with a DecodeError", () => {
    for (const bytes of [[], [1], [1, 0x80], [7, 1], [1, 1, 0], [3, 0xff]]) {
      expect(() => kvResultCodec.decode(Uint8Array.from(bytes))).toThrow(DecodeError);
    }
    const beyondSafe = Uint8Array.of(1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f);
    expect(() => kvResultCodec.decode(beyondSafe)).toThrow(DecodeError);
  });

  it("still reads results logged as MessagePack before the binary form", () => {
    const legacy = createMsgpackCodec<unknown>();
    expect(kvResultCodec.decode(legacy.encode({ version: 12, existed: true }))).toEqual({
      version: 12,
      existed: true,
    });
    expect(kvResultCodec.decode(legacy.encode({ rejected: "bad" }))).toEqual({ rejected: "bad" });
    expect(() => kvResultCodec.decode(legacy.encode({ version: "x" }))).toThrow(DecodeError);
  });
});
