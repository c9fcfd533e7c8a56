import { InvalidArgumentError } from "@pods/core-interfaces";
import {
  parseHistory,
  type HistoryFile,
  type RegisterInput,
  type RegisterOutput,
} from "@pods/lincheck";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { History } from "./history.ts";

/**
 * The rules of shared/testdata/linearizability/README.md, checked strictly: integer client ids
 * and times, `return` null or greater than `call`, `output` null exactly when `return` is, all
 * times distinct, a client's operations never overlap, and a client whose operation never
 * returned issues nothing afterwards.
 */
function assertValidHistoryFile(file: HistoryFile): void {
  expect(typeof file.model).toBe("string");
  const times = new Set<number>();
  for (const operation of file.operations) {
    expect(Object.keys(operation).sort()).toEqual(["call", "client", "input", "output", "return"]);
    expect(Number.isSafeInteger(operation.client) && operation.client >= 0).toBe(true);
    expect(Number.isSafeInteger(operation.call)).toBe(true);
    if (operation.return === null) {
      expect(operation.output).toBeNull();
    } else {
      expect(Number.isSafeInteger(operation.return)).toBe(true);
      expect(operation.return).toBeGreaterThan(operation.call);
      expect(operation.output).not.toBeNull();
    }
    for (const time of [operation.call, operation.return]) {
      if (time === null) continue;
      expect(times.has(time)).toBe(false);
      times.add(time);
    }
  }
  for (const a of file.operations) {
    for (const b of file.operations) {
      if (a === b || a.client !== b.client || a.call > b.call) continue;
      expect(a.return, `client ${a.client}: an operation follows an open one`).not.toBeNull();
      expect(a.return!, `client ${a.client}: operations overlap`).toBeLessThan(b.call);
    }
  }
  expect(() => parseHistory(JSON.parse(JSON.stringify(file)))).not.toThrow();
}

describe("History", () => {
  it("records invoke and ok with a logical clock and exports operations by call time", () => {
    const history = new History<RegisterInput, RegisterOutput>();
    const write = history.invoke("alice", { op: "write", value: 1 });
    const read = history.invoke("bob", { op: "read" });
    write.ok({});
    read.ok({ value: 1 });
    expect(history.toHistoryFile("register", { source: "unit test" })).toEqual({
      model: "register",
      source: "unit test",
      operations: [
        { client: 0, call: 0, return: 2, input: { op: "write", value: 1 }, output: {} },
        { client: 1, call: 1, return: 3, input: { op: "read" }, output: { value: 1 } },
      ],
    });
    expect(write.state).toBe("ok");
  });

  it("leaves definite failures out, keeps indeterminate and pending ones open, and retires the client", () => {
    const history = new History<RegisterInput, RegisterOutput>();
    history.invoke("alice", { op: "cas", from: 1, to: 2 }).fail();
    history.invoke("alice", { op: "write", value: 3 }).indeterminate();
    history.invoke("alice", { op: "read" }).ok({ value: 3 });
    history.invoke("bob", { op: "write", value: 4 });
    const file = history.toHistoryFile("register");
    expect(file.operations).toEqual([
      { client: 0, call: 1, return: null, input: { op: "write", value: 3 }, output: null },
      { client: 1, call: 2, return: 3, input: { op: "read" }, output: { value: 3 } },
      { client: 2, call: 4, return: null, input: { op: "write", value: 4 }, output: null },
    ]);
    expect(history.size).toBe(4);
    assertValidHistoryFile(file);
  });

  it("copies inputs and outputs, so later changes to the objects do not rewrite history", () => {
    const history = new History<{ key: string }, { value: string }>();
    const input = { key: "x" };
    const output = { value: "1" };
    history.invoke("alice", input).ok(output);
    input.key = "y";
    output.value = "2";
    expect(history.toHistoryFile("kv").operations[0]).toMatchObject({
      input: { key: "x" },
      output: { value: "1" },
    });
  });

  it("rejects completing twice and overlapping operations of one client", () => {
    const history = new History();
    const first = history.invoke("alice", { op: "read" });
    expect(() => history.invoke("alice", { op: "read" })).toThrow(/is in flight/);
    first.ok({ value: null });
    expect(() => {
      first.ok({ value: null });
    }).toThrow(InvalidArgumentError);
    expect(() => {
      first.indeterminate();
    }).toThrow(/completed already \(ok\)/);
  });

  it("always exports a history that follows the format's rules", () => {
    const action = fc.oneof(
      fc.record({ invoke: fc.integer({ min: 0, max: 4 }), value: fc.integer({ min: 0, max: 3 }) }),
      fc.record({
        complete: fc.nat(),
        outcome: fc.constantFrom("ok" as const, "fail" as const, "indeterminate" as const),
      }),
    );
    fc.assert(
      fc.property(fc.array(action, { maxLength: 60 }), (actions) => {
        const history = new History<RegisterInput, RegisterOutput>();
        const pending: {
          client: number;
          done: (outcome: "ok" | "fail" | "indeterminate") => void;
        }[] = [];
        for (const step of actions) {
          if ("invoke" in step) {
            if (pending.some((entry) => entry.client === step.invoke)) continue;
            const operation = history.invoke(`client ${step.invoke}`, {
              op: "write",
              value: step.value,
            });
            pending.push({
              client: step.invoke,
              done: (outcome) => {
                if (outcome === "ok") operation.ok({});
                else if (outcome === "fail") operation.fail();
                else operation.indeterminate();
              },
            });
          } else if (pending.length > 0) {
            const [entry] = pending.splice(step.complete % pending.length, 1);
            entry!.done(step.outcome);
          }
        }
        assertValidHistoryFile(history.toHistoryFile("register"));
      }),
    );
  });
});
