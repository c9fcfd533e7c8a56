import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { RevisionStore } from "./revision-store.ts";

describe("RevisionStore", () => {
  it("numbers puts and deletes with one counter", () => {
    const store = new RevisionStore<string>();
    expect(store.currentVersion).toBe(0);
    expect(store.put("a", "x")).toBe(1);
    expect(store.put("b", "y")).toBe(2);
    expect(store.delete("a")).toBe(3);
    expect(store.delete("never-written")).toBe(4);
    store.putAt("c", 10, "z");
    expect(store.put("a", "again")).toBe(11);
    expect(store.history("a").map((event) => `${event.kind}@${event.version}`)).toEqual([
      "put@1",
      "delete@3",
      "put@11",
    ]);
  });

  it("gives replicas that apply the same commands the same versions and contents", () => {
    const command = fc.tuple(
      fc.constantFrom("a", "b", "c"),
      fc.option(fc.nat(9), { nil: undefined }),
    );
    fc.assert(
      fc.property(fc.array(command, { maxLength: 60 }), fc.nat(60), (commands, compactAt) => {
        const replicas = [new RevisionStore<number>(), new RevisionStore<number>()];
        const versions = replicas.map((store) =>
          commands.map(([key, value]) =>
            value === undefined ? store.delete(key) : store.put(key, value),
          ),
        );
        for (const store of replicas) store.compact(Math.min(compactAt, store.currentVersion));
        expect(versions[0]).toEqual(versions[1]);
        expect(replicas[0]!.snapshot()).toEqual(replicas[1]!.snapshot());
      }),
    );
  });

  it("restores from a snapshot and continues the counter", () => {
    const store = new RevisionStore<string>();
    store.put("a", "x");
    store.put("a", "y");
    const copy = new RevisionStore<string>({ snapshot: store.snapshot() });
    expect(copy.put("b", "z")).toBe(3);
  });
});
