import { DecodeError } from "@pods/core-interfaces";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ByteReader, ByteWriter } from "./byte-io.ts";

type Field =
  | { readonly kind: "u8"; readonly value: number }
  | { readonly kind: "uint"; readonly value: number }
  | { readonly kind: "f64"; readonly value: number }
  | { readonly kind: "bytes"; readonly value: Uint8Array }
  | { readonly kind: "ascii"; readonly value: string }
  | { readonly kind: "utf8"; readonly value: string };

const field: fc.Arbitrary<Field> = fc.oneof(
  fc.record({ kind: fc.constant("u8" as const), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({
    kind: fc.constant("uint" as const),
    value: fc.oneof(fc.nat(300), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER })),
  }),
  fc.record({ kind: fc.constant("f64" as const), value: fc.double({ noNaN: true }) }),
  fc.record({ kind: fc.constant("bytes" as const), value: fc.uint8Array({ maxLength: 300 }) }),
  fc.record({
    kind: fc.constant("ascii" as const),
    value: fc.string({
      unit: fc.integer({ min: 0, max: 0x7f }).map((code) => String.fromCharCode(code)),
      maxLength: 40,
    }),
  }),
  fc.record({
    kind: fc.constant("utf8" as const),
    value: fc.oneof(fc.string({ maxLength: 20 }), fc.string({ unit: "grapheme", maxLength: 20 })),
  }),
);

function writeField(writer: ByteWriter, item: Field): void {
  if (item.kind === "u8") writer.u8(item.value);
  else if (item.kind === "uint") writer.uint(item.value);
  else if (item.kind === "f64") writer.f64(item.value);
  else if (item.kind === "bytes") writer.bytes(item.value);
  else if (item.kind === "utf8") writer.utf8(item.value);
  else writer.ascii(item.value);
}

function write(fields: readonly Field[], capacityBytes?: number): Uint8Array {
  const writer = new ByteWriter(capacityBytes);
  for (const item of fields) writeField(writer, item);
  return writer.finish();
}

function read(bytes: Uint8Array, kinds: readonly Field["kind"][]): unknown[] {
  const reader = new ByteReader(bytes);
  const values = kinds.map((kind, index) => {
    const name = `field ${index}`;
    if (kind === "u8") return reader.u8(name);
    if (kind === "uint") return reader.uint(name);
    if (kind === "f64") return reader.f64(name);
    if (kind === "bytes") return reader.bytes(name);
    if (kind === "utf8") return reader.utf8(name);
    return reader.ascii(name, 64);
  });
  reader.end();
  return values;
}

describe("ByteWriter and ByteReader", () => {
  it("read back exactly what was written, from any starting capacity", () => {
    fc.assert(
      fc.property(
        fc.array(field, { maxLength: 30 }),
        fc.integer({ min: 1, max: 80 }),
        (fields, capacity) => {
          const bytes = write(fields, capacity);
          expect(
            read(
              bytes,
              fields.map((item) => item.kind),
            ),
          ).toEqual(fields.map((item) => item.value));
        },
      ),
    );
  });

  it("refuse every truncation of a valid input with a DecodeError", () => {
    fc.assert(
      fc.property(fc.array(field, { minLength: 1, maxLength: 10 }), fc.nat(), (fields, cut) => {
        const bytes = write(fields);
        const kinds = fields.map((item) => item.kind);
        const truncated = bytes.subarray(0, cut % bytes.length);
        expect(() => read(truncated, kinds)).toThrow(DecodeError);
      }),
    );
  });

  it("write varints in their shortest form and refuse other forms", () => {
    expect([...new ByteWriter().uint(0).uint(127).uint(128).uint(300).finish()]).toEqual([
      0, 127, 0x80, 1, 0xac, 2,
    ]);
    expect(new ByteWriter().uint(Number.MAX_SAFE_INTEGER).length).toBe(8);
    expect(() => new ByteReader(Uint8Array.of(0x80, 0)).uint("n")).toThrow(
      /n is not in shortest form/,
    );
    const tooLong = new Uint8Array(9).fill(0x81);
    expect(() => new ByteReader(tooLong).uint("n")).toThrow(/longer than 8 bytes/);
  });

  it("check ranges, counts, lengths, ASCII and trailing bytes, naming field and offset", () => {
    const twelve = new ByteWriter().uint(12).finish();
    expect(() => new ByteReader(twelve).uint("size", { max: 10 })).toThrow(
      /size is 12, above its maximum 10/,
    );
    expect(() => new ByteReader(twelve).uint("size", { min: 13 })).toThrow(/below its minimum 13/);
    expect(() => new ByteReader(twelve).count("items", 100)).toThrow(
      /items is 12, above its maximum 1/,
    );
    const shortBytes = Uint8Array.of(5, 1, 2);
    expect(() => new ByteReader(shortBytes).bytes("body")).toThrow(
      /body claims 5 bytes but only 2 remain/,
    );
    expect(() => new ByteReader(Uint8Array.of(1, 0xc3)).ascii("name", 10)).toThrow(
      /name is not ASCII/,
    );
    expect(() => new ByteReader(Uint8Array.of(20)).ascii("name", 10)).toThrow(
      /name's length is 20/,
    );
    const trailing = new ByteReader(Uint8Array.of(1, 2));
    trailing.u8("first");
    let error: unknown;
    try {
      trailing.end();
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(DecodeError);
    expect((error as Error).message).toMatch(/1 trailing byte/);
    expect((error as DecodeError).offset).toBe(1);
  });

  it("put the context's what and advice around each problem", () => {
    const reader = new ByteReader(new Uint8Array(0), {
      what: "session command",
      advice: "check the sender",
    });
    expect(() => reader.u8("kind")).toThrow(
      /^cannot decode: session command: kind is missing: the input ends early\. check the sender \(at offset 0\)$/,
    );
  });

  it("write text as UTF-8 and refuse bytes that are not, or beyond the limit", () => {
    const text = "key/é/日本/🙂";
    const bytes = new ByteWriter().utf8(text).utf8("plain").finish();
    expect(bytes.subarray(1, 1 + bytes[0]!)).toEqual(new TextEncoder().encode(text));
    const reader = new ByteReader(bytes);
    expect(reader.utf8("first")).toBe(text);
    expect(reader.utf8("second", 5)).toBe("plain");
    reader.end();
    expect(() => new ByteReader(Uint8Array.of(2, 0x61, 0xff)).utf8("key")).toThrow(
      /key is not valid UTF-8 \(at offset 1\)/,
    );
    expect(() => new ByteReader(Uint8Array.of(3, 0x61, 0x62, 0x63)).utf8("key", 2)).toThrow(
      /key's length is 3, above its maximum 2/,
    );
    expect(() => new ByteReader(Uint8Array.of(3, 0x61)).utf8("key")).toThrow(
      /key claims 3 bytes but only 1 remain/,
    );
    // A lone surrogate is written as U+FFFD, as TextEncoder writes it.
    expect(new ByteReader(new ByteWriter().utf8("a\ud800").finish()).utf8("text")).toBe("a\ufffd");
  });

  it("hand out the rest of a large input as a view, of a small one as a copy", () => {
    const small = new ByteWriter()
      .u8(9)
      .raw(Uint8Array.of(1, 2, 3))
      .finish();
    const reader = new ByteReader(small);
    expect(reader.u8("tag")).toBe(9);
    const rest = reader.rest();
    expect([...rest]).toEqual([1, 2, 3]);
    expect(reader.remaining).toBe(0);
    expect(reader.offset).toBe(4);
    small[1] = 7;
    expect(rest[0]).toBe(1);

    const large = new ByteWriter().u8(9).raw(new Uint8Array(100).fill(5)).finish();
    const view = new ByteReader(large);
    view.u8("tag");
    const tail = view.rest();
    large[1] = 7;
    expect(tail[0]).toBe(7);
  });

  it("give each of several writers open at once its own bytes, also after a finish", () => {
    // Writers share one working buffer; a new writer takes it over from one still writing.
    const step = fc.tuple(fc.nat(3), fc.constantFrom("write", "nested", "finish", "reopen"));
    fc.assert(
      fc.property(
        fc.array(fc.array(field, { minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 4 }),
        fc.array(step, { maxLength: 60 }),
        (plans, steps) => {
          const writers = plans.map(() => new ByteWriter());
          const written = plans.map(() => [] as Field[]);
          const finished: { bytes: Uint8Array; fields: Field[] }[] = [];
          for (const [pick, action] of steps) {
            const at = pick % plans.length;
            const plan = plans[at]!;
            if (action === "nested") {
              // A writer opened and finished in between, as a nested encoding is.
              write(plan);
            } else if (action === "write") {
              const next = plan[written[at]!.length % plan.length]!;
              writeField(writers[at]!, next);
              written[at]!.push(next);
            } else {
              finished.push({ bytes: writers[at]!.finish(), fields: [...written[at]!] });
              if (action === "reopen") {
                writers[at] = new ByteWriter();
                written[at] = [];
              }
            }
          }
          writers.forEach((writer, at) =>
            finished.push({ bytes: writer.finish(), fields: written[at]! }),
          );
          for (const { bytes, fields } of finished) expect(bytes).toEqual(write(fields));
        },
      ),
    );
  });

  it("write more than the shared buffer holds, from any starting capacity", () => {
    const big = new Uint8Array(70_000).map((_, index) => index % 251);
    for (const capacity of [undefined, 100, 200_000]) {
      const other = new ByteWriter().u8(1);
      const writer = new ByteWriter(capacity).u8(2).bytes(big);
      other.u8(3);
      const bytes = writer.u8(4).finish();
      const reader = new ByteReader(bytes);
      expect(reader.u8("first")).toBe(2);
      expect(Buffer.compare(reader.bytes("big"), big)).toBe(0);
      expect(reader.u8("last")).toBe(4);
      reader.end();
      expect([...other.finish()]).toEqual([1, 3]);
    }
  });
});
