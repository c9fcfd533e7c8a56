import { DecodeError, InvalidArgumentError } from "@pods/core-interfaces";
import fc from "fast-check";
import { Packr } from "msgpackr";
import { describe, expect, it } from "vitest";
import { createMsgpackCodec, defaultNestingDepthMax } from "./msgpack-codec.ts";

const codec = createMsgpackCodec();
const bytesOf = (...values: number[]): Uint8Array => Uint8Array.from(values);
const utf8 = (text: string): number[] => [...new TextEncoder().encode(text)];

/** Every kind of value the codec supports, nested; -0 is mapped to 0 (it decodes as 0). */
const { value: valueArbitrary } = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.constantFrom(null, undefined, true, false),
    fc.double().map((number) => (Object.is(number, -0) ? 0 : number)),
    fc.integer(),
    fc.bigInt({ min: -(2n ** 63n), max: 2n ** 64n - 1n }),
    fc.string({ unit: "grapheme" }),
    fc.uint8Array({ maxLength: 40 }),
    fc.date({ noInvalidDate: true }),
    fc.array(tie("value"), { maxLength: 5 }),
    fc.dictionary(fc.string({ unit: "grapheme", maxLength: 10 }), tie("value"), {
      maxKeys: 5,
      noNullPrototype: true,
    }),
  ),
}));

/** The message the replication protocol sends most: an append-entries request. */
const appendRequest = {
  type: "append",
  generation: 7,
  leaderId: "athens",
  prevLogIndex: 1000,
  prevLogGeneration: 7,
  leaderCommit: 998,
  entries: Array.from({ length: 16 }, (_, i) => ({
    index: 1001 + i,
    generation: 7,
    type: "data",
    wallMs: 1_764_000_000_000 + i,
    payload: new Uint8Array(100).fill(i),
  })),
};

function thrownBy(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error("expected an error");
}

describe("createMsgpackCodec: round trips", () => {
  it("decodes every supported value to an equal value", () => {
    fc.assert(
      fc.property(valueArbitrary, (value) => {
        expect(codec.decode(codec.encode(value))).toStrictEqual(value);
      }),
      { numRuns: 300 },
    );
  });

  it("round-trips an append-entries request", () => {
    expect(codec.decode(codec.encode(appendRequest))).toStrictEqual(appendRequest);
  });

  it("keeps numbers exact: safe integers, large integers and floats", () => {
    for (const number of [
      0,
      -1,
      2 ** 31,
      2 ** 32 + 1,
      Number.MAX_SAFE_INTEGER,
      -Number.MAX_SAFE_INTEGER,
      2 ** 70,
      0.1,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      Number.MIN_VALUE,
    ]) {
      expect(codec.decode(codec.encode(number))).toBe(number);
    }
    expect(codec.decode(codec.encode(-0))).toBe(0);
  });

  it("maps 64-bit integers to bigints both ways, and never rounds them", () => {
    expect(codec.decode(codec.encode(2n ** 63n + 5n))).toBe(2n ** 63n + 5n);
    expect(codec.decode(codec.encode(-5n))).toBe(-5n);
    // Another encoder's uint 64 (0xcf) for 1000, and int 64 (0xd3) for -1.
    expect(codec.decode(bytesOf(0xcf, 0, 0, 0, 0, 0, 0, 0x03, 0xe8))).toBe(1000n);
    expect(codec.decode(bytesOf(0xd3, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff))).toBe(-1n);
  });

  it("keeps undefined, as a value and as a property", () => {
    expect(codec.decode(codec.encode(undefined))).toBeUndefined();
    const decoded = codec.decode(codec.encode({ a: undefined })) as object;
    expect(Object.keys(decoded)).toEqual(["a"]);
  });

  it("round-trips Dates, including invalid ones and dates before 1970", () => {
    for (const time of [0, 1_764_000_123_456, -1500, 8.64e15, -8.64e15]) {
      expect(codec.decode(codec.encode(new Date(time)))).toStrictEqual(new Date(time));
    }
    const invalid = codec.decode(codec.encode(new Date(Number.NaN)));
    expect(invalid).toBeInstanceOf(Date);
    expect((invalid as Date).getTime()).toBeNaN();
  });

  it("encodes to a plain Uint8Array that owns its bytes", () => {
    const first = codec.encode({ a: 1 });
    const second = codec.encode({ b: 2 });
    expect(Object.getPrototypeOf(first)).toBe(Uint8Array.prototype);
    expect(first.byteLength).toBe(first.buffer.byteLength);
    expect(codec.decode(first)).toStrictEqual({ a: 1 });
    expect(codec.decode(second)).toStrictEqual({ b: 2 });
  });

  it("decodes binary values as plain Uint8Arrays that never alias the input, even a Buffer", () => {
    const input = Buffer.from(codec.encode({ payload: Buffer.from([1, 2, 3]) }));
    const decoded = codec.decode(input) as { payload: Uint8Array };
    expect(Object.getPrototypeOf(decoded.payload)).toBe(Uint8Array.prototype);
    input.fill(0);
    expect(decoded.payload).toStrictEqual(bytesOf(1, 2, 3));
    expect(input).not.toHaveProperty("dataView"); // msgpackr caches one on its input
  });
});

describe("createMsgpackCodec: prototypes", () => {
  it("decodes a __proto__ key as an own property, leaving every prototype alone", () => {
    // { "__proto__": { "polluted": true } }, as another encoder (or an attacker) would write it.
    const bytes = bytesOf(0x81, 0xa9, ...utf8("__proto__"), 0x81, 0xa8, ...utf8("polluted"), 0xc3);
    const decoded = codec.decode(bytes) as Record<string, unknown>;
    expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype);
    expect(Object.keys(decoded)).toEqual(["__proto__"]);
    expect(Object.getOwnPropertyDescriptor(decoded, "__proto__")?.value).toStrictEqual({
      polluted: true,
    });
    expect(decoded.polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty("polluted");
  });

  it("round-trips an object whose own key is __proto__ (as JSON.parse makes it)", () => {
    const value = JSON.parse('{"__proto__": {"x": 1}, "constructor": "c", "toJSON": 0}') as object;
    const decoded = codec.decode(codec.encode(value));
    expect(decoded).toStrictEqual(value);
    expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype);
  });
});

describe("createMsgpackCodec: bad input to decode", () => {
  it("rejects empty input, truncated input and trailing bytes", () => {
    const bytes = codec.encode(appendRequest);
    expect(() => codec.decode(new Uint8Array(0))).toThrow(DecodeError);
    expect(() => codec.decode(bytes.subarray(0, bytes.length - 1))).toThrow(DecodeError);
    expect(() => codec.decode(bytesOf(...bytes, 0xc0))).toThrow(DecodeError);
    expect(() => codec.decode(bytesOf(0x01, 0x02))).toThrow(/cannot decode: not one well-formed/);
  });

  it("rejects what this codec never writes: non-string keys, records, extension types", () => {
    const richPackr = new Packr({ moreTypes: true, useRecords: true });
    const rejected: [Uint8Array, RegExp][] = [
      [bytesOf(0x81, 0x01, 0x02), /map key of type number/],
      [bytesOf(0xc1), /extension type/],
      [richPackr.pack([{ a: 1 }, { a: 2 }, { a: 3 }]), /record/],
      [richPackr.pack(new Set([1])), /Set/],
      [richPackr.pack(new Int32Array([1])), /Int32Array/],
      [richPackr.pack(new RangeError("x")), /RangeError/],
      [richPackr.pack(/x/g), /RegExp/],
    ];
    for (const [bytes, message] of rejected) {
      const error = thrownBy(() => codec.decode(bytes));
      expect(error).toBeInstanceOf(DecodeError);
      expect((error as Error).message).toMatch(message);
    }
  });

  it("names where inside the value the problem is", () => {
    const bytes = bytesOf(0x81, 0xa1, ...utf8("a"), 0x92, 0x01, 0xc1);
    expect(() => codec.decode(bytes)).toThrow(/at \$\.a\[1\]/);
  });

  it("rejects nesting deeper than nestingDepthMax, and survives absurd nesting", () => {
    const nested = (depth: number): Uint8Array => {
      const bytes = new Uint8Array(depth + 1).fill(0x91); // depth one-element arrays around 1
      bytes[depth] = 0x01;
      return bytes;
    };
    expect(codec.decode(nested(defaultNestingDepthMax))).toBeDefined();
    expect(() => codec.decode(nested(defaultNestingDepthMax + 1))).toThrow(/deeper/);
    expect(() => codec.decode(nested(1_000_000))).toThrow(DecodeError);
    const shallow = createMsgpackCodec({ nestingDepthMax: 2 });
    expect(shallow.decode(nested(2))).toStrictEqual([[1]]);
    expect(() => shallow.decode(nested(3))).toThrow(DecodeError);
  });

  it("throws only DecodeError on arbitrary bytes, and whatever decodes re-encodes alike", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 64 }), (bytes) => {
        let value: unknown;
        try {
          value = codec.decode(bytes);
        } catch (error) {
          expect(error).toBeInstanceOf(DecodeError);
          return;
        }
        expect(codec.decode(codec.encode(value))).toStrictEqual(value);
      }),
      { numRuns: 2000 },
    );
  });

  it("throws only DecodeError on damaged encodings (bit flips, cuts)", () => {
    fc.assert(
      fc.property(
        valueArbitrary,
        fc.nat(),
        fc.integer({ min: 0, max: 7 }),
        fc.boolean(),
        (value, seed, bit, cut) => {
          const bytes = codec.encode(value);
          const index = seed % bytes.length;
          const damaged = cut ? bytes.subarray(0, index) : bytes;
          if (!cut) damaged[index]! ^= 1 << bit;
          try {
            const decoded = codec.decode(damaged);
            expect(codec.decode(codec.encode(decoded))).toStrictEqual(decoded);
          } catch (error) {
            expect(error).toBeInstanceOf(DecodeError);
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it("rejects an argument that is not a Uint8Array", () => {
    expect(() => codec.decode("\x01" as unknown as Uint8Array)).toThrow(InvalidArgumentError);
  });
});

describe("createMsgpackCodec: validate", () => {
  interface Ping {
    type: "ping";
    sentMs: number;
  }
  const ping = createMsgpackCodec<Ping>({
    validate(value) {
      const candidate = value as Partial<Ping>;
      if (candidate.type !== "ping" || typeof candidate.sentMs !== "number") {
        throw new TypeError("not a ping");
      }
      return value as Ping;
    },
  });

  it("returns what validate accepts", () => {
    expect(ping.decode(ping.encode({ type: "ping", sentMs: 5 }))).toStrictEqual({
      type: "ping",
      sentMs: 5,
    });
  });

  it("wraps a rejection in DecodeError, keeping the cause", () => {
    const error = thrownBy(() => ping.decode(codec.encode({ type: "pong" })));
    expect(error).toBeInstanceOf(DecodeError);
    expect((error as DecodeError).cause).toBeInstanceOf(TypeError);
    expect((error as Error).message).toMatch(/failed validation \(not a ping\)/);
  });

  it("lets a DecodeError from validate through unchanged", () => {
    const own = new DecodeError("wrong version");
    const strict = createMsgpackCodec({
      validate: () => {
        throw own;
      },
    });
    expect(thrownBy(() => strict.decode(codec.encode(1)))).toBe(own);
  });
});

describe("createMsgpackCodec: values encode refuses", () => {
  class Point {
    x = 1;
  }
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;

  it("refuses values it cannot round-trip, naming where they are", () => {
    const refused: [unknown, RegExp][] = [
      [{ f: () => 1 }, /a function at \$\.f/],
      [[Symbol("s")], /a symbol at \$\[0\]/],
      [{ m: new Map() }, /instance of Map at \$\.m/],
      [{ s: new Set([1]) }, /instance of Set/],
      [{ "a b": [new Int32Array(1)] }, /instance of Int32Array at \$\["a b"\]\[0\]/],
      [new Point(), /instance of Point at \$/],
      [{ text: "\ud800" }, /lone UTF-16 surrogate/],
      [{ ["\udc00"]: 1 }, /key with a lone UTF-16 surrogate/],
      [2n ** 64n, /64-bit range/],
      [-(2n ** 63n) - 1n, /64-bit range/],
      [{ constructor: "c", toJSON: 1 }, /toJSON key and a constructor key/],
      [cyclic, /deeper than nestingDepthMax levels \(or a cycle\)/],
    ];
    for (const [value, message] of refused) {
      const error = thrownBy(() => codec.encode(value));
      expect(error).toBeInstanceOf(InvalidArgumentError);
      expect((error as Error).message).toMatch(message);
    }
  });

  it("accepts objects without a prototype and Buffers", () => {
    const bare = Object.assign(Object.create(null) as object, { a: 1 });
    expect(codec.decode(codec.encode(bare))).toStrictEqual({ a: 1 });
    expect(codec.decode(codec.encode(Buffer.from([7])))).toStrictEqual(bytesOf(7));
  });

  it("validates its options", () => {
    for (const nestingDepthMax of [0, 1001, 2.5]) {
      expect(() => createMsgpackCodec({ nestingDepthMax })).toThrow(InvalidArgumentError);
    }
    expect(() => createMsgpackCodec({ validate: 5 as unknown as () => unknown })).toThrow(
      InvalidArgumentError,
    );
  });
});
