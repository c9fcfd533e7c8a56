import { InvalidArgumentError, InvariantError } from "@pods/core-interfaces";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  kvFixture,
  linearizableHistory,
  mixedHistory,
  registerFixture,
  type ModelFixture,
} from "../test/arbitraries.ts";
import { bruteForceLinearizable } from "../test/brute-force.ts";
import { checkHistory, checkOperations } from "./check.ts";
import type { HistoryOperation } from "./history.ts";
import type { KvInput, KvOutput } from "./kv-model.ts";
import { kvModel } from "./kv-model.ts";
import { builtInModels } from "./models.ts";
import { registerModel, type RegisterInput, type RegisterOutput } from "./register-model.ts";

type RegisterOperation = HistoryOperation<RegisterInput, RegisterOutput>;

const write = (value: number, call: number, returned: number | null): RegisterOperation => ({
  client: call,
  call,
  return: returned,
  input: { op: "write", value },
  output: returned === null ? null : {},
});
const read = (value: number | null, call: number, returned: number): RegisterOperation => ({
  client: call,
  call,
  return: returned,
  input: { op: "read" },
  output: { value },
});
const verdictOf = (operations: readonly RegisterOperation[]): string =>
  checkOperations(registerModel, operations).verdict;

describe("checkOperations on the register", () => {
  it("accepts the empty history and histories of open operations only", () => {
    expect(verdictOf([])).toBe("linearizable");
    expect(verdictOf([write(1, 0, null), write(2, 1, null)])).toBe("linearizable");
  });

  it("keeps real-time order: a read after a write returned must see it", () => {
    expect(verdictOf([write(1, 0, 1), read(null, 2, 3)])).toBe("not linearizable");
    expect(verdictOf([write(1, 0, 2), read(null, 1, 3)])).toBe("linearizable");
    expect(verdictOf([write(1, 0, 1), read(1, 2, 3)])).toBe("linearizable");
  });

  it("treats intervals as closed: a call at the time of another's return is concurrent with it", () => {
    expect(verdictOf([write(1, 0, 5), read(null, 5, 6)])).toBe("linearizable");
    expect(verdictOf([write(1, 0, 5), read(null, 6, 7)])).toBe("not linearizable");
  });

  it("places an open operation after its call, or not at all", () => {
    // Never took effect.
    expect(verdictOf([write(1, 0, 1), write(2, 2, null), read(1, 3, 4)])).toBe("linearizable");
    // Took effect late, after the first read.
    expect(verdictOf([write(1, 0, 1), write(2, 2, null), read(1, 3, 4), read(2, 5, 6)])).toBe(
      "linearizable",
    );
    // Cannot take effect before it was called.
    expect(verdictOf([read(1, 0, 3), write(1, 5, null)])).toBe("not linearizable");
    expect(verdictOf([read(1, 4, 6), write(1, 5, null)])).toBe("linearizable");
    // Once it took effect it stays: 2, then 1 again is impossible.
    expect(verdictOf([write(1, 0, 1), write(2, 2, null), read(2, 3, 4), read(1, 5, 6)])).toBe(
      "not linearizable",
    );
  });

  it("checks failed compare-and-sets: the register must not hold `from` at that point", () => {
    const cas = (from: number, to: number, ok: boolean, call: number): RegisterOperation => ({
      client: 9,
      call,
      return: call + 1,
      input: { op: "cas", from, to },
      output: { ok },
    });
    expect(verdictOf([write(1, 0, 1), cas(1, 2, false, 2)])).toBe("not linearizable");
    expect(verdictOf([write(1, 0, 1), cas(1, 2, true, 2), read(2, 4, 5)])).toBe("linearizable");
    expect(verdictOf([write(1, 0, 1), cas(3, 2, false, 2), read(1, 4, 5)])).toBe("linearizable");
    expect(verdictOf([cas(3, 2, false, 0), read(null, 2, 3)])).toBe("linearizable");
  });

  it("does not depend on the order of the operations array", () => {
    const history = [write(1, 0, 1), write(2, 2, null), read(2, 3, 4), read(1, 5, 6)];
    expect(verdictOf([...history].reverse())).toBe("not linearizable");
  });

  it("validates the operations it is given", () => {
    const bad = { ...write(1, 0, 1), input: { op: "write" } } as unknown as RegisterOperation;
    expect(() => checkOperations(registerModel, [read(null, 0, 1), bad])).toThrow(
      /operation 1: input\.value of a write must be an integer/,
    );
  });
});

describe("checkOperations limits", () => {
  const history = [write(1, 0, 3), read(1, 1, 4), read(null, 2, 5)];

  it("answers unknown, not a guess, when the time budget runs out", () => {
    let nowMs = 0;
    const clock = { monotonicMs: () => (nowMs += 1000) };
    expect(checkOperations(registerModel, history, { timeoutMs: 10, clock })).toEqual({
      verdict: "unknown",
      reason: "timeout",
      partition: "the history",
    });
  });

  it("answers unknown when the memo would exceed memoBytesMax", () => {
    expect(checkOperations(registerModel, history, { memoBytesMax: 1000 })).toEqual({
      verdict: "unknown",
      reason: "memory limit",
      partition: "the history",
    });
  });

  it.each([0, -1, Number.NaN])("rejects timeoutMs %s", (timeoutMs) => {
    expect(() => checkOperations(registerModel, history, { timeoutMs })).toThrow(
      InvalidArgumentError,
    );
  });

  it.each([0, 1.5, Number.POSITIVE_INFINITY])("rejects memoBytesMax %s", (memoBytesMax) => {
    expect(() => checkOperations(registerModel, history, { memoBytesMax })).toThrow(
      /memoBytesMax must be a positive integer/,
    );
  });

  it("accepts an unlimited time budget", () => {
    expect(checkOperations(registerModel, history, { timeoutMs: Infinity }).verdict).toBe(
      "linearizable",
    );
  });

  it("refuses a model whose partition loses or repeats operations", () => {
    const losing = { ...registerModel, partition: () => [{ label: "none", indexes: [0] }] };
    expect(() => checkOperations(losing, history)).toThrow(InvariantError);
    const repeating = {
      ...registerModel,
      partition: () => [{ label: "all", indexes: [0, 1, 2, 2] }],
    };
    expect(() => checkOperations(repeating, history)).toThrow(InvariantError);
  });
});

describe("checkOperations on the kv model (partitioned by key)", () => {
  const op = (
    input: KvInput,
    output: KvOutput | null,
    call: number,
    returned: number | null,
  ): HistoryOperation<KvInput, KvOutput> => ({
    client: call,
    call,
    return: returned,
    input,
    output,
  });

  it("checks each key on its own: interleaving keys does not matter", () => {
    const history = [
      op({ op: "put", key: "a", value: "1" }, {}, 0, 10),
      op({ op: "append", key: "b", value: "x" }, {}, 1, 2),
      op({ op: "get", key: "b" }, { value: "x" }, 3, 4),
      op({ op: "get", key: "a" }, { value: "1" }, 5, 12),
      op({ op: "append", key: "b", value: "y" }, null, 13, null),
      op({ op: "get", key: "b" }, { value: "xy" }, 14, 15),
    ];
    expect(checkOperations(kvModel, history).verdict).toBe("linearizable");
  });

  it("reports the key that fails", () => {
    const history = [
      op({ op: "put", key: "a", value: "1" }, {}, 0, 1),
      op({ op: "put", key: "b", value: "2" }, {}, 2, 3),
      op({ op: "get", key: "a" }, { value: "1" }, 4, 5),
      op({ op: "get", key: "b" }, { value: "" }, 6, 7),
    ];
    const result = checkOperations(kvModel, history);
    expect(result.verdict).toBe("not linearizable");
    if (result.verdict !== "not linearizable") return;
    expect(result.explanation.partition).toBe('key "b"');
    expect(result.explanation.operationCount).toBe(2);
    expect(result.explanation.blocked.map((blocked) => blocked.index)).toEqual([3]);
    expect(result.explanation.blocked[0]?.reason).toBe('get "b" → "", but "b" holds "2"');
  });
});

describe("checkHistory", () => {
  it("checks a file against the model it names", () => {
    const file = { model: "register", operations: [write(1, 0, 1), read(1, 2, 3)] };
    expect(checkHistory(file).verdict).toBe("linearizable");
    expect(() => checkHistory({ ...file, model: "queue" })).toThrow(/No model is named "queue"/);
    const models = [...builtInModels, { ...registerModel, name: "mine" }];
    expect(checkHistory({ ...file, model: "mine" }, { models }).verdict).toBe("linearizable");
  });
});

function agreesWithBruteForce<State, Input, Output>(
  fixture: ModelFixture<State, Input, Output>,
): void {
  const verdicts = { linearizable: 0, "not linearizable": 0 };
  fc.assert(
    fc.property(mixedHistory(fixture, 7), (history) => {
      const result = checkOperations(fixture.model, history);
      const expected = bruteForceLinearizable(fixture.model, history)
        ? "linearizable"
        : "not linearizable";
      expect(result.verdict).toBe(expected);
      verdicts[expected]++;
    }),
    { numRuns: 400 },
  );
  // The generator must exercise both verdicts, or the comparison proves little.
  expect(verdicts.linearizable).toBeGreaterThan(40);
  expect(verdicts["not linearizable"]).toBeGreaterThan(40);
}

describe("the search agrees with a brute-force checker on small histories", () => {
  it("register", () => agreesWithBruteForce(registerFixture));
  it("kv (the brute force does not partition)", () => agreesWithBruteForce(kvFixture));
});

function sequentialRunsAreLinearizable<State, Input, Output>(
  fixture: ModelFixture<State, Input, Output>,
  isRead: (input: Input) => boolean,
  wrongAnswer: (output: Output) => Output,
): void {
  fc.assert(
    fc.property(linearizableHistory(fixture, 40, 3), (history) => {
      expect(checkOperations(fixture.model, history).verdict).toBe("linearizable");
    }),
    { numRuns: 150 },
  );
  // Strictly sequential runs without open operations: one order only, so one wrong read fails it.
  const sequential = linearizableHistory(fixture, 40, 0, false).filter((history) =>
    history.some((operation) => isRead(operation.input)),
  );
  fc.assert(
    fc.property(sequential, fc.nat(), (history, pick) => {
      const reads = history.flatMap((operation, index) => (isRead(operation.input) ? [index] : []));
      const target = reads[pick % reads.length]!;
      const mutated = history.map((operation, index) =>
        index === target ? { ...operation, output: wrongAnswer(operation.output!) } : operation,
      );
      expect(checkOperations(fixture.model, history).verdict).toBe("linearizable");
      expect(checkOperations(fixture.model, mutated).verdict).toBe("not linearizable");
    }),
    { numRuns: 150 },
  );
}

describe("histories generated from sequential runs", () => {
  it("register: linearizable, and not once one read's answer changes", () => {
    sequentialRunsAreLinearizable(
      registerFixture,
      (input) => input.op === "read",
      (output) => ({ value: output.value === null ? 0 : output.value! + 1 }),
    );
  });

  it("kv: linearizable, and not once one get's answer changes", () => {
    sequentialRunsAreLinearizable(
      kvFixture,
      (input) => input.op === "get",
      (output) => ({ value: `${output.value}!` }),
    );
  });
});
