import { DecodeError } from "@pods/core-interfaces";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CausalContext } from "./causal-context.ts";
import { causalContextCodec, createSiblingsCodec, versionVectorCodec } from "./encoding.ts";
import { putSibling, readContext, type Sibling } from "./siblings.ts";
import { VersionVector } from "./version-vector.ts";

const nodes = ["athens", "byzantium", "cyrene", "delphi"] as const;
const ascii = (text: string) => [...text].map((char) => char.charCodeAt(0));

const vectorArbitrary = fc
  .array(fc.tuple(fc.constantFrom(...nodes), fc.oneof(fc.nat({ max: 300 }), fc.maxSafeNat())), {
    maxLength: 4,
  })
  .map((pairs) => VersionVector.from(new Map(pairs)));

/** Sibling lists as replicas make them: writes through random replicas, some with a read's context. */
const siblingsArbitrary = fc
  .array(fc.tuple(fc.constantFrom(...nodes), fc.boolean(), fc.string({ maxLength: 8 })), {
    maxLength: 8,
  })
  .map((writes) => {
    let siblings: readonly Sibling<string>[] = [];
    for (const [index, [replica, sawAll, value]] of writes.entries()) {
      const context = sawAll ? readContext(siblings.slice(0, 1)) : CausalContext.empty;
      siblings = putSibling(
        siblings,
        { value, context, replica, wallMs: 1_764_000_000_000 + index },
        { mode: "dotted", siblingsMax: 100, contextEntriesMax: 50 },
      ).siblings;
    }
    return siblings;
  });

const codec = createSiblingsCodec<string>();

/** Values as raw bytes, so that the whole encoding is canonical (MessagePack strings are not). */
const bytesCodec = createSiblingsCodec<Uint8Array>({
  valueCodec: { encode: (value) => value, decode: (bytes) => bytes.slice() },
});
const asBytes = (siblings: readonly Sibling<string>[]): readonly Sibling<Uint8Array>[] =>
  siblings.map((sibling) => ({ ...sibling, value: new TextEncoder().encode(sibling.value) }));

/** Decoding bytes either fails with a DecodeError or gives a value that encodes to the same bytes. */
function expectCanonicalOrDecodeError<T>(
  decode: (bytes: Uint8Array) => T,
  encode: (value: T) => Uint8Array,
  bytes: Uint8Array,
): void {
  let value: T;
  try {
    value = decode(bytes);
  } catch (error) {
    expect(error).toBeInstanceOf(DecodeError);
    return;
  }
  expect([...encode(value)]).toEqual([...bytes]);
}

describe("versionVectorCodec", () => {
  it("writes a tag, the entry count, then each node id and counter as varints", () => {
    const bytes = versionVectorCodec.encode(VersionVector.from({ byzantium: 1, athens: 300 }));
    expect([...bytes]).toEqual([
      0x76,
      2,
      6,
      ...ascii("athens"),
      0xac, // 300 = 0b10_0101100: low seven bits with the continuation bit,
      0x02, // then the rest
      9,
      ...ascii("byzantium"),
      1,
    ]);
    expect(bytes.length).toBeLessThan(
      JSON.stringify(VersionVector.from({ byzantium: 1, athens: 300 })).length,
    );
  });

  it("round-trips, up to the largest safe counter", () => {
    fc.assert(
      fc.property(vectorArbitrary, (vector) => {
        expect(versionVectorCodec.decode(versionVectorCodec.encode(vector)).equals(vector)).toBe(
          true,
        );
      }),
    );
  });

  it("refuses non-canonical and damaged input with a DecodeError", () => {
    const bad = [
      [],
      [0x73, 0],
      [0x76],
      [0x76, 1, 1, ...ascii("a")],
      [0x76, 1, 1, ...ascii("a"), 0], // counter 0
      [0x76, 1, 1, ...ascii("a"), 0x81, 0x00], // not the shortest varint
      [0x76, 1, 1, ...ascii("a"), 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01], // too long
      [0x76, 1, 1, ...ascii("a"), 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x10], // above 2^53 - 1
      [0x76, 2, 1, ...ascii("b"), 1, 1, ...ascii("a"), 1], // unsorted
      [0x76, 2, 1, ...ascii("a"), 1, 1, ...ascii("a"), 1], // duplicate
      [0x76, 1, 1, ...ascii("-"), 1], // bad node id
      [0x76, 0, 0], // trailing byte
      [0x76, 5, 1, ...ascii("a"), 1], // count beyond the input
    ];
    for (const bytes of bad) {
      expect(() => versionVectorCodec.decode(Uint8Array.from(bytes))).toThrow(DecodeError);
    }
  });

  it("never decodes damaged bytes into anything but their own canonical value", () => {
    fc.assert(
      fc.property(
        vectorArbitrary,
        fc.nat(),
        fc.integer({ min: 0, max: 255 }),
        (vector, at, byte) => {
          const bytes = versionVectorCodec.encode(vector);
          bytes[at % bytes.length] = byte;
          expectCanonicalOrDecodeError(
            (input) => versionVectorCodec.decode(input),
            (value) => versionVectorCodec.encode(value),
            bytes,
          );
        },
      ),
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (bytes) => {
        expectCanonicalOrDecodeError(
          (input) => versionVectorCodec.decode(input),
          (value) => versionVectorCodec.encode(value),
          bytes,
        );
      }),
    );
  });
});

describe("causalContextCodec", () => {
  it("round-trips contexts with exceptions, naming each exception's node by its entry index", () => {
    const context = CausalContext.of(VersionVector.from({ athens: 3, cyrene: 2 }), [
      { node: "athens", counter: 1 },
      { node: "cyrene", counter: 2 },
    ]);
    const bytes = causalContextCodec.encode(context);
    expect([...bytes.subarray(-5)]).toEqual([2, 0, 1, 1, 2]);
    expect(causalContextCodec.decode(bytes).equals(context)).toBe(true);
  });

  it("refuses exceptions above the vector or out of order", () => {
    const vector = [1, 1, ...ascii("a"), 2];
    for (const exceptions of [
      [1, 0, 3],
      [2, 0, 2, 0, 1],
      [1, 1, 1],
      [1, 0, 0],
    ]) {
      expect(() =>
        causalContextCodec.decode(Uint8Array.from([0x63, ...vector, ...exceptions])),
      ).toThrow(DecodeError);
    }
  });
});

describe("createSiblingsCodec", () => {
  it("round-trips the sibling lists replicas make, values, dots, contexts and wall times", () => {
    fc.assert(
      fc.property(siblingsArbitrary, (siblings) => {
        const decoded = codec.decode(codec.encode(siblings));
        expect(decoded).toEqual(siblings);
      }),
    );
  });

  it("writes each node id once", () => {
    let siblings: readonly Sibling<string>[] = [];
    for (let index = 0; index < 3; index++) {
      siblings = putSibling(
        siblings,
        { value: "v", context: CausalContext.empty, replica: "byzantium", wallMs: 0 },
        { mode: "dotted", siblingsMax: 100, contextEntriesMax: 50 },
      ).siblings;
    }
    const bytes = codec.encode(siblings);
    const text = new TextDecoder().decode(bytes);
    expect(text.split("byzantium").length - 1).toBe(1);
    expect(bytes.length).toBeLessThan(50);
  });

  it("never decodes damaged bytes into anything but their own canonical value", () => {
    fc.assert(
      fc.property(
        siblingsArbitrary,
        fc.nat(),
        fc.integer({ min: 0, max: 255 }),
        (siblings, at, byte) => {
          const bytes = bytesCodec.encode(asBytes(siblings));
          bytes[at % bytes.length] = byte;
          expectCanonicalOrDecodeError(
            (input) => bytesCodec.decode(input),
            (value) => bytesCodec.encode(value),
            bytes,
          );
        },
      ),
    );
  });

  it("refuses a sibling whose context covers its own dot, or one superseded by another", () => {
    const node = [1, 1, ...ascii("a")];
    const value = [2, 0xa1, 0x78]; // msgpack "x"
    // dot a:1 with context {a: 1}
    const ownDot = [0x73, ...node, 1, 0, 1, 0, 1, 0, 1, 0, ...value];
    expect(() => codec.decode(Uint8Array.from(ownDot))).toThrow(/covers its own dot/);
    // a:1 with an empty context, and a:2 whose context {a: 1} covers it
    const superseded = [0x73, ...node, 2, 0, 1, 0, 0, 0, ...value, 0, 2, 0, 1, 0, 1, 0, ...value];
    expect(() => codec.decode(Uint8Array.from(superseded))).toThrow(/superseded/);
    const unused = [0x73, 2, 1, ...ascii("a"), 1, ...ascii("b"), 1, 0, 1, 0, 0, 0, ...value];
    expect(() => codec.decode(Uint8Array.from(unused))).toThrow(/unused/);
    expect(() => createSiblingsCodec({ siblingsMax: 1 }).decode(codec.encode([]))).not.toThrow();
  });
});
