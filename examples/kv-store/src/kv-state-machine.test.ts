import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { kvCommandCodec, kvResultCodec, type KvCommand } from "./kv-commands.ts";
import { KvStateMachine } from "./kv-state-machine.ts";

const command = fc.oneof(
  fc.record({
    op: fc.constant("put" as const),
    key: fc.constantFrom("a", "b", "c"),
    value: fc.uint8Array({ maxLength: 8 }),
  }),
  fc.record({ op: fc.constant("delete" as const), key: fc.constantFrom("a", "b", "c") }),
);

function applyAll(machine: KvStateMachine, commands: readonly Uint8Array[], from = 1): void {
  commands.forEach((bytes, at) =>
    machine.apply({ index: from + at, generation: 1, clusterTimeMs: 0, command: bytes }),
  );
}

describe("KvStateMachine", () => {
  it("puts, replaces and deletes, answering the version and whether the key existed", () => {
    const machine = new KvStateMachine();
    const put = (index: number, value: string): unknown =>
      kvResultCodec.decode(
        machine.apply({
          index,
          generation: 1,
          clusterTimeMs: 0,
          command: kvCommandCodec.encode({
            op: "put",
            key: "title",
            value: new TextEncoder().encode(value),
          }),
        }),
      );
    expect(put(1, "Microservices")).toEqual({ version: 1, existed: false });
    expect(put(2, "Patterns")).toEqual({ version: 2, existed: true });
    expect(new TextDecoder().decode(machine.get("title")?.value)).toBe("Patterns");
    expect(machine.get("title")?.version).toBe(2);
    const remove = (index: number): unknown =>
      kvResultCodec.decode(
        machine.apply({
          index,
          generation: 1,
          clusterTimeMs: 0,
          command: kvCommandCodec.encode({ op: "delete", key: "title" }),
        }),
      );
    expect(remove(3)).toEqual({ version: 3, existed: true });
    expect(machine.get("title")).toBeUndefined();
    expect(remove(4)).toEqual({ version: 4, existed: false });
    expect(machine.appliedIndex).toBe(4);
  });

  it("answers a command that does not decode with a rejection, on every replica alike", () => {
    const machine = new KvStateMachine();
    const result = kvResultCodec.decode(
      machine.apply({ index: 1, generation: 1, clusterTimeMs: 0, command: new Uint8Array([0xc1]) }),
    );
    expect(result).toMatchObject({ rejected: expect.stringContaining("cannot decode") as unknown });
    expect(machine.size).toBe(0);
    expect(machine.appliedIndex).toBe(1);
  });

  it("replicas fed the same commands hold the same state, also after a snapshot and restore midway", () => {
    fc.assert(
      fc.property(fc.array(command, { maxLength: 40 }), fc.nat(), (commands: KvCommand[], cut) => {
        const bytes = commands.map((one) => kvCommandCodec.encode(one));
        const first = new KvStateMachine();
        applyAll(first, bytes);
        const at = bytes.length === 0 ? 0 : cut % bytes.length;
        const donor = new KvStateMachine();
        applyAll(donor, bytes.slice(0, at));
        const second = new KvStateMachine();
        second.restore(donor.snapshot());
        applyAll(second, bytes.slice(at), at + 1);
        expect(second.snapshot()).toEqual(first.snapshot());
        expect(second.appliedIndex).toBe(first.appliedIndex);
      }),
    );
  });

  it("reports each applied index, and the snapshot's on restore", () => {
    const seen: number[] = [];
    const machine = new KvStateMachine((index) => seen.push(index));
    applyAll(machine, [kvCommandCodec.encode({ op: "delete", key: "x" })], 5);
    const other = new KvStateMachine((index) => seen.push(-index));
    other.restore(machine.snapshot());
    expect(seen).toEqual([5, -5]);
  });

  it("refuses a damaged snapshot and keeps its state", () => {
    const machine = new KvStateMachine();
    applyAll(machine, [kvCommandCodec.encode({ op: "put", key: "k", value: new Uint8Array([1]) })]);
    expect(() => machine.restore(new Uint8Array([0x93, 1]))).toThrow(/cannot decode/);
    expect(machine.get("k")?.version).toBe(1);
  });
});
