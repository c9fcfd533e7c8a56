import { InvalidArgumentError } from "@pods/core-interfaces";
import { describe, expect, it } from "vitest";
import { kvModel } from "./kv-model.ts";
import { parseHistory, parseOperations } from "./parse-history.ts";
import { registerModel } from "./register-model.ts";

const write = { client: 0, call: 0, return: 2, input: { op: "write", value: 1 }, output: {} };
const read = { client: 1, call: 1, return: 3, input: { op: "read" }, output: { value: 1 } };
const open = { client: 2, call: 4, return: null, input: { op: "write", value: 2 }, output: null };

function history(operation: unknown): unknown {
  return { model: "register", operations: [write, read, operation] };
}

describe("parseHistory", () => {
  it("reads a valid file, typed by its model, ignoring unknown fields", () => {
    const file = parseHistory({
      model: "register",
      expected: "linearizable",
      source: "hand-written",
      comment: "ignored",
      operations: [{ ...write, extra: true }, read, open],
    });
    expect(file).toEqual({
      model: "register",
      expected: "linearizable",
      source: "hand-written",
      operations: [write, read, open],
    });
    expect(parseHistory({ model: "kv", operations: [] })).toEqual({ model: "kv", operations: [] });
  });

  it.each([
    [null, /the history must be an object, but it is null/],
    [[], /the history must be an object/],
    [{ operations: [] }, /model must be a string, but it is missing/],
    [
      { model: "queue", operations: [] },
      /No model is named "queue"; the known models are "register", "kv"/,
    ],
    [{ model: "register" }, /operations must be an array, but it is missing/],
    [{ model: "register", operations: {} }, /operations must be an array/],
    [
      { model: "register", operations: [], expected: "yes" },
      /expected must be one of "linearizable", "not linearizable"/,
    ],
    [{ model: "register", operations: [], source: 7 }, /source must be a string/],
  ])("rejects the file %j", (json, message) => {
    expect(() => parseHistory(json)).toThrow(InvalidArgumentError);
    expect(() => parseHistory(json)).toThrow(message);
  });

  it.each([
    ["not an object", 5, /operation 2 must be an object, but it is 5/],
    [
      "no client",
      { ...open, client: undefined },
      /operation 2: client must be an integer, but it is missing/,
    ],
    [
      "a negative client",
      { ...open, client: -1 },
      /operation 2: client must be a non-negative integer, but it is -1/,
    ],
    ["a fractional client", { ...open, client: 0.5 }, /operation 2: client must be an integer/],
    [
      "a string call",
      { ...open, call: "4" },
      /operation 2: call must be an integer, but it is "4"/,
    ],
    [
      "no return",
      { ...open, return: undefined },
      /operation 2: return must be null \(never returned\) or an integer, but it is missing/,
    ],
    [
      "a return before the call",
      { ...read, return: 1 },
      /operation 2: return must be greater than call \(1\), but it is 1/,
    ],
    [
      "an open operation with an output",
      { ...open, output: {} },
      /operation 2: output must be null, as the operation never returned, but it is \{\}/,
    ],
    [
      "a returned operation without output",
      { ...read, output: null },
      /operation 2: output must be an object, but it is null/,
    ],
    [
      "a write without a value",
      { ...write, input: { op: "write" } },
      /operation 2: input\.value of a write must be an integer/,
    ],
    [
      "a read of a string",
      { ...read, output: { value: "1" } },
      /operation 2: output\.value of a read must be an integer or null/,
    ],
  ])("rejects an operation with %s", (_, operation, message) => {
    expect(() => parseHistory(history(operation))).toThrow(InvalidArgumentError);
    expect(() => parseHistory(history(operation))).toThrow(message);
  });

  it("tolerates equal times and a client with overlapping operations", () => {
    const tied = [
      { client: 0, call: 0, return: 5, input: { op: "write", value: 1 }, output: {} },
      { client: 0, call: 5, return: 6, input: { op: "read" }, output: { value: 1 } },
      { client: 0, call: 5, return: 9, input: { op: "read" }, output: { value: 1 } },
    ];
    expect(parseHistory({ model: "register", operations: tied }).operations).toEqual(tied);
  });

  it("accepts models of its own", () => {
    const renamed = { ...registerModel, name: "my-register" };
    const json = { model: "my-register", operations: [write] };
    expect(parseHistory(json, { models: [renamed] }).model).toBe("my-register");
    expect(() => parseHistory(json)).toThrow(/No model is named "my-register"/);
  });
});

describe("parseOperations", () => {
  it("validates operations against the given model", () => {
    const get = {
      client: 0,
      call: 0,
      return: 1,
      input: { op: "get", key: "k" },
      output: { value: "" },
    };
    expect(parseOperations(kvModel, [get])).toEqual([get]);
    expect(() => parseOperations(registerModel, [get])).toThrow(
      /operation 0: input\.op must be one of/,
    );
  });
});
