import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { copyMessage } from "./copy-message.ts";

describe("copyMessage", () => {
  it("copies plain data exactly as structuredClone does, sharing no object", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const copy = copyMessage(value);
        expect(copy).toStrictEqual(structuredClone(value));
        if (typeof value === "object" && value !== null) expect(copy).not.toBe(value);
      }),
    );
  });

  it("copies bytes, and falls back to structuredClone for maps, dates, deep and cyclic values", () => {
    const bytes = Uint8Array.of(1, 2, 3);
    const message = { bytes, at: new Date(5), seen: new Map([["a", 1]]), list: [undefined, -0] };
    const copy = copyMessage(message);
    expect(copy).toStrictEqual(message);
    expect(copy.bytes).not.toBe(bytes);
    expect(copy.seen).not.toBe(message.seen);
    let deep: unknown = 1;
    for (let level = 0; level < 100; level++) deep = [deep];
    expect(copyMessage(deep)).toStrictEqual(deep);
    const cyclic: { self?: unknown } = {};
    cyclic.self = cyclic;
    const cyclicCopy = copyMessage(cyclic);
    expect(cyclicCopy.self).toBe(cyclicCopy);
  });

  it("keeps a __proto__ key as data and rejects functions like structuredClone", () => {
    const tricky = JSON.parse('{"__proto__": {"polluted": true}}') as Record<string, unknown>;
    const copy = copyMessage(tricky);
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(Object.keys(copy)).toEqual(["__proto__"]);
    expect(() => copyMessage({ callback: () => 1 })).toThrow();
  });
});
