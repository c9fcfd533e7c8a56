import { describe, expect, it } from "vitest";
import type { HistoryOperation } from "./history.ts";
import { kvModel as kv, type KvInput, type KvOutput, type KvState } from "./kv-model.ts";
import { illegal } from "./model.ts";

const store = (entries: Record<string, string>): KvState => new Map(Object.entries(entries));

describe("kvModel.step", () => {
  it("every key starts as the empty string", () => {
    expect(kv.step(kv.initialState, { op: "get", key: "x" }, { value: "" })).toBe(kv.initialState);
    expect(kv.step(kv.initialState, { op: "get", key: "x" }, { value: "a" })).toBe(illegal);
  });

  it("put sets, append concatenates, get must return the current value", () => {
    let state = kv.initialState;
    const apply = (input: KvInput, output: KvOutput): void => {
      const next = kv.step(state, input, output);
      if (next === illegal) throw new Error(`illegal: ${JSON.stringify(input)}`);
      state = next;
    };
    apply({ op: "append", key: "x", value: "ab" }, {});
    apply({ op: "append", key: "x", value: "c" }, {});
    apply({ op: "get", key: "x" }, { value: "abc" });
    apply({ op: "put", key: "y", value: "z" }, {});
    apply({ op: "get", key: "y" }, { value: "z" });
    apply({ op: "get", key: "x" }, { value: "abc" });
    expect(kv.step(state, { op: "get", key: "x" }, { value: "ab" })).toBe(illegal);
    expect(state).toEqual(store({ x: "abc", y: "z" }));
  });

  it("does not change the state it is given", () => {
    const before = store({ x: "a" });
    const after = kv.step(before, { op: "append", key: "x", value: "b" }, {});
    expect(before).toEqual(store({ x: "a" }));
    expect(after).toEqual(store({ x: "ab" }));
  });

  it("an absent key and an empty value are the same state", () => {
    const emptied = kv.step(store({ x: "a" }), { op: "put", key: "x", value: "" }, {});
    expect(emptied).not.toBe(illegal);
    expect(kv.stateKey(emptied as KvState)).toBe(kv.stateKey(kv.initialState));
  });

  it("keys equal stores alike and different stores apart", () => {
    expect(kv.stateKey(store({ a: "1", b: "2" }))).toBe(kv.stateKey(store({ b: "2", a: "1" })));
    const distinct = [
      store({}),
      store({ a: "1" }),
      store({ b: "1" }),
      store({ a: "11" }),
      store({ a: "1", b: "1" }),
      store({ a: "1b1" }),
      store({ a: "1:b1:1" }),
      store({ "a1:b": "1" }),
    ];
    expect(new Set(distinct.map((state) => kv.stateKey(state))).size).toBe(distinct.length);
  });
});

describe("kvModel.partition", () => {
  it("splits a history by key, in key order, keeping the operations' indexes", () => {
    const operation = (key: string, call: number): HistoryOperation<KvInput, KvOutput> => ({
      client: 0,
      call,
      return: call + 1,
      input: { op: "get", key },
      output: { value: "" },
    });
    const parts = kv.partition?.([
      operation("b", 0),
      operation("a", 2),
      operation("b", 4),
      operation('"q"', 6),
    ]);
    expect(parts).toEqual([
      { label: 'key "\\"q\\""', indexes: [3] },
      { label: 'key "a"', indexes: [1] },
      { label: 'key "b"', indexes: [0, 2] },
    ]);
  });
});

describe("kvModel parsing and descriptions", () => {
  it("validates requests and answers", () => {
    expect(kv.parseInput({ op: "append", key: "k", value: "v" }, "in")).toEqual({
      op: "append",
      key: "k",
      value: "v",
    });
    expect(() => kv.parseInput({ op: "put", key: "k" }, "in")).toThrow(
      /in\.value of a put must be a string, but it is missing/,
    );
    expect(() => kv.parseInput({ op: "get", key: 1 }, "in")).toThrow(/in\.key must be a string/);
    expect(() => kv.parseInput({ op: "delete", key: "k" }, "in")).toThrow(/in\.op must be one of/);
    expect(kv.parseOutput({ value: "v" }, { op: "get", key: "k" }, "out")).toEqual({ value: "v" });
    expect(() => kv.parseOutput({}, { op: "get", key: "k" }, "out")).toThrow(
      /out\.value of a get must be a string/,
    );
    expect(kv.parseOutput({}, { op: "put", key: "k", value: "v" }, "out")).toEqual({});
  });

  it("describes operations and states in words", () => {
    expect(kv.describeOperation({ op: "get", key: "k" }, { value: "v" })).toBe('get "k" → "v"');
    expect(kv.describeOperation({ op: "get", key: "k" }, undefined)).toBe('get "k"');
    expect(kv.describeOperation({ op: "put", key: "k", value: "v" }, {})).toBe('put "k" := "v"');
    expect(kv.describeOperation({ op: "append", key: "k", value: "v" }, undefined)).toBe(
      'append "k" += "v"',
    );
    expect(kv.describeState(kv.initialState)).toBe("every key is empty");
    expect(kv.describeState(store({ k: "v" }))).toBe('"k" holds "v"');
  });
});
