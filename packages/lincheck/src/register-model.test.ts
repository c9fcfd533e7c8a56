import { InvalidArgumentError } from "@pods/core-interfaces";
import { describe, expect, it } from "vitest";
import { illegal } from "./model.ts";
import { registerModel as register } from "./register-model.ts";

describe("registerModel.step", () => {
  it("starts empty, and a read must return the value held", () => {
    expect(register.initialState).toBeNull();
    expect(register.step(null, { op: "read" }, { value: null })).toBeNull();
    expect(register.step(null, { op: "read" }, { value: 0 })).toBe(illegal);
    expect(register.step(4, { op: "read" }, { value: 4 })).toBe(4);
    expect(register.step(4, { op: "read" }, { value: 3 })).toBe(illegal);
    expect(register.step(4, { op: "read" }, { value: null })).toBe(illegal);
  });

  it("a write always succeeds and sets the value", () => {
    expect(register.step(null, { op: "write", value: 7 }, {})).toBe(7);
    expect(register.step(7, { op: "write", value: -2 }, {})).toBe(-2);
  });

  it("a cas succeeds exactly when the register holds `from`; absent differs from every value", () => {
    const cas = { op: "cas", from: 1, to: 2 } as const;
    expect(register.step(1, cas, { ok: true })).toBe(2);
    expect(register.step(1, cas, { ok: false })).toBe(illegal);
    expect(register.step(3, cas, { ok: false })).toBe(3);
    expect(register.step(3, cas, { ok: true })).toBe(illegal);
    expect(register.step(null, cas, { ok: false })).toBeNull();
    expect(register.step(null, cas, { ok: true })).toBe(illegal);
  });

  it("accepts any answer of an open operation and applies its effect", () => {
    expect(register.step(5, { op: "read" }, undefined)).toBe(5);
    expect(register.step(5, { op: "write", value: 6 }, undefined)).toBe(6);
    expect(register.step(1, { op: "cas", from: 1, to: 9 }, undefined)).toBe(9);
    expect(register.step(2, { op: "cas", from: 1, to: 9 }, undefined)).toBe(2);
  });

  it("keys states so that only equal states share a key", () => {
    const keys = [null, 0, 1, -1].map((state) => register.stateKey(state));
    expect(new Set(keys).size).toBe(4);
    expect(register.stateKey(3)).toBe(register.stateKey(3));
  });
});

describe("registerModel parsing", () => {
  it("reads well-formed requests and answers", () => {
    expect(register.parseInput({ op: "read" }, "in")).toEqual({ op: "read" });
    expect(register.parseInput({ op: "write", value: 3 }, "in")).toEqual({ op: "write", value: 3 });
    expect(register.parseInput({ op: "cas", from: 1, to: 2 }, "in")).toEqual({
      op: "cas",
      from: 1,
      to: 2,
    });
    expect(register.parseOutput({ value: null }, { op: "read" }, "out")).toEqual({ value: null });
    expect(register.parseOutput({ value: 5 }, { op: "read" }, "out")).toEqual({ value: 5 });
    expect(register.parseOutput({}, { op: "write", value: 1 }, "out")).toEqual({});
    expect(register.parseOutput({ ok: false }, { op: "cas", from: 1, to: 2 }, "out")).toEqual({
      ok: false,
    });
  });

  it.each([
    [{ op: "write" }, /operation 3: input\.value of a write must be an integer, but it is missing/],
    [{ op: "write", value: null }, /value of a write must be an integer, but it is null/],
    [{ op: "write", value: 1.5 }, /value of a write must be an integer, but it is 1\.5/],
    [{ op: "cas", from: 1 }, /\.to of a cas must be an integer/],
    [{ op: "cas", from: "1", to: 2 }, /\.from of a cas must be an integer, but it is "1"/],
    [{ op: "increment" }, /\.op must be one of "read", "write", "cas", but it is "increment"/],
    [[], /operation 3: input must be an object/],
    [null, /operation 3: input must be an object, but it is null/],
  ])("rejects the request %j", (input, message) => {
    expect(() => register.parseInput(input, "operation 3: input")).toThrow(InvalidArgumentError);
    expect(() => register.parseInput(input, "operation 3: input")).toThrow(message);
  });

  it.each([
    [{ op: "read" }, {}, /value of a read must be an integer or null, but it is missing/],
    [{ op: "read" }, { value: "4" }, /value of a read must be an integer or null/],
    [{ op: "cas", from: 1, to: 2 }, {}, /ok of a cas must be true or false, but it is missing/],
    [{ op: "cas", from: 1, to: 2 }, { ok: 1 }, /ok of a cas must be true or false/],
    [{ op: "write", value: 1 }, null, /must be an object, but it is null/],
  ] as const)("rejects the answer to %j: %j", (input, output, message) => {
    expect(() => register.parseOutput(output, input, "operation 2: output")).toThrow(message);
  });
});

describe("registerModel descriptions", () => {
  it("describes operations and states in words", () => {
    expect(register.describeOperation({ op: "read" }, { value: 3 })).toBe("read → 3");
    expect(register.describeOperation({ op: "read" }, { value: null })).toBe("read → null");
    expect(register.describeOperation({ op: "read" }, undefined)).toBe("read");
    expect(register.describeOperation({ op: "write", value: 4 }, {})).toBe("write 4");
    const cas = { op: "cas", from: 1, to: 2 } as const;
    expect(register.describeOperation(cas, { ok: true })).toBe("cas 1→2 → ok");
    expect(register.describeOperation(cas, { ok: false })).toBe("cas 1→2 → failed");
    expect(register.describeOperation(cas, undefined)).toBe("cas 1→2");
    expect(register.describeState(4)).toBe("the register holds 4");
    expect(register.describeState(null)).toBe("the register is empty (null)");
  });
});
