import { InvalidArgumentError } from "@pods/core-interfaces";
import { describe, expect, it } from "vitest";
import { checkOperations, type NotLinearizableResult } from "./check.ts";
import { formatExplanation } from "./explanation.ts";
import type { HistoryOperation } from "./history.ts";
import {
  registerModel,
  type RegisterInput,
  type RegisterOutput,
  type RegisterState,
} from "./register-model.ts";

type Operation = HistoryOperation<RegisterInput, RegisterOutput>;
type Violation = NotLinearizableResult<RegisterState, RegisterInput, RegisterOutput>;

function violation(operations: readonly Operation[]): Violation {
  const result = checkOperations(registerModel, operations);
  if (result.verdict !== "not linearizable")
    throw new Error(`expected a violation: ${result.verdict}`);
  return result;
}

// Client 0 writes 3, then 4; client 1 reads 3 after the second write returned. Client 2's write
// of 5 never returned, and client 3 reads 4 concurrently with the stale read.
const history: Operation[] = [
  { client: 0, call: 0, return: 1, input: { op: "write", value: 3 }, output: {} },
  { client: 0, call: 2, return: 3, input: { op: "write", value: 4 }, output: {} },
  { client: 2, call: 4, return: null, input: { op: "write", value: 5 }, output: null },
  { client: 1, call: 5, return: 8, input: { op: "read" }, output: { value: 3 } },
  { client: 3, call: 6, return: 7, input: { op: "read" }, output: { value: 4 } },
];

describe("the explanation of a violation", () => {
  it("gives the longest linearizable prefix with the state after each step", () => {
    const { explanation } = violation(history);
    expect(explanation.partition).toBe("the history");
    expect(explanation.operationCount).toBe(5);
    expect(
      explanation.prefix.map(({ index, stateAfter, description, stateDescription }) => ({
        index,
        stateAfter,
        description,
        stateDescription,
      })),
    ).toEqual([
      {
        index: 0,
        stateAfter: 3,
        description: "#0 (client 0, 0–1): write 3",
        stateDescription: "the register holds 3",
      },
      {
        index: 1,
        stateAfter: 4,
        description: "#1 (client 0, 2–3): write 4",
        stateDescription: "the register holds 4",
      },
      {
        index: 4,
        stateAfter: 4,
        description: "#4 (client 3, 6–7): read → 4",
        stateDescription: "the register holds 4",
      },
    ]);
    expect(explanation.prefix[0]?.operation).toEqual(history[0]);
    expect(explanation.stateDescription).toBe("the register holds 4");
  });

  it("names the operations that could come next and why each is wrong", () => {
    const { explanation } = violation(history);
    expect(explanation.open.map(({ index }) => index)).toEqual([2]);
    expect(
      explanation.blocked.map(({ index, label, reason }) => ({ index, label, reason })),
    ).toEqual([
      {
        index: 3,
        label: "#3 (client 1, 5–8)",
        reason: "read → 3, but the register holds 4",
      },
    ]);
  });

  it("renders as readable lines", () => {
    expect(formatExplanation(violation(history).explanation)).toEqual([
      "in the history (5 operations):",
      "the longest linearizable prefix has 3 operations:",
      "  #0 (client 0, 0–1): write 3  ⇒ the register holds 3",
      "  #1 (client 0, 2–3): write 4  ⇒ the register holds 4",
      "  #4 (client 3, 6–7): read → 4  ⇒ the register holds 4",
      "after it the register holds 4, and every returned operation that could come next " +
        "answers wrongly:",
      "  #3 (client 1, 5–8): read → 3, but the register holds 4",
      "and letting an operation that never returned take effect first does not help:",
      "  #2 (client 2, called 4, never returned): write 5",
    ]);
  });

  it("shows only the last prefixStepsMax steps of a long prefix", () => {
    const lines = formatExplanation(violation(history).explanation, { prefixStepsMax: 1 });
    expect(lines.slice(0, 3)).toEqual([
      "in the history (5 operations):",
      "the longest linearizable prefix has 3 operations, the last 1:",
      "  #4 (client 3, 6–7): read → 4  ⇒ the register holds 4",
    ]);
    expect(() => formatExplanation(violation(history).explanation, { prefixStepsMax: -1 })).toThrow(
      InvalidArgumentError,
    );
  });

  it("explains a history whose first operations are already wrong", () => {
    const wrongFromTheStart: Operation[] = [
      { client: 0, call: 0, return: 2, input: { op: "read" }, output: { value: 1 } },
      { client: 1, call: 1, return: 3, input: { op: "cas", from: 0, to: 1 }, output: { ok: true } },
      { client: 2, call: 4, return: 5, input: { op: "write", value: 1 }, output: {} },
    ];
    expect(formatExplanation(violation(wrongFromTheStart).explanation)).toEqual([
      "in the history (3 operations):",
      "at the start the register is empty (null), and every returned operation that could come " +
        "next answers wrongly:",
      "  #0 (client 0, 0–2): read → 1, but the register is empty (null)",
      "  #1 (client 1, 1–3): cas 0→1 → ok, but the register is empty (null)",
    ]);
  });

  it("is the same on every run", () => {
    expect(violation(history)).toEqual(violation([...history]));
  });
});
