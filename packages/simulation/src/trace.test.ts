import { InvalidArgumentError } from "@pods/core-interfaces";
import { describe, expect, it } from "vitest";
import { Trace } from "./trace.ts";

describe("Trace", () => {
  it("hashes the same lines alike and different lines or times differently", () => {
    const make = (lines: [number, string][]): string => {
      const trace = new Trace();
      for (const [time, text] of lines) trace.add(time, text);
      return trace.hash;
    };
    const base: [number, string][] = [
      [0, "boot athens#1"],
      [1.5, "send #1 athens->byzantium ping"],
    ];
    expect(make(base)).toBe(make(base));
    expect(make(base)).toMatch(/^[0-9a-f]{16}$/);
    expect(make(base)).not.toBe(make([base[0]!, [1.6, "send #1 athens->byzantium ping"]]));
    expect(make(base)).not.toBe(make([base[1]!, base[0]!]));
    expect(make([[0, "ab"]])).not.toBe(
      make([
        [0, "a"],
        [0, "b"],
      ]),
    );
  });

  it("keeps the last lines in order, and every line only when asked", () => {
    const trace = new Trace({ tailLines: 3 });
    for (let index = 0; index < 5; index++) trace.add(index, `line ${index}`);
    expect(trace.tail()).toEqual(["2.000 line 2", "3.000 line 3", "4.000 line 4"]);
    expect(trace.count).toBe(5);
    expect(() => trace.lines).toThrow(InvalidArgumentError);
    const full = new Trace({ recordLines: true, tailLines: 0 });
    full.add(0, "a");
    expect(full.lines).toEqual(["0.000 a"]);
    expect(full.tail()).toEqual([]);
  });
});
