import { InvalidArgumentError } from "@pods/core-interfaces";
import { describe, expect, it } from "vitest";
import { ObsoleteVersionError } from "./errors.ts";
import { ReplicaStore } from "./replica-store.ts";
import { VersionVector } from "./version-vector.ts";

const clock = { wallMs: () => 1_764_000_000_000.7 };
const storeOf = (replicaId: string, mode: "dotted" | "vector" = "dotted") =>
  new ReplicaStore<string>({ replicaId, clock, mode });

describe("ReplicaStore", () => {
  it("returns nothing for a key never written, and a context that has seen nothing", () => {
    const read = storeOf("athens").get("cart");
    expect(read.siblings).toEqual([]);
    expect(read.context.vector.size).toBe(0);
  });

  it("names writes by its replica id and records its wall clock in whole ms", () => {
    const store = storeOf("athens");
    const first = store.put("cart", "milk");
    expect(first.dot).toEqual({ node: "athens", counter: 1 });
    expect(first.context.toString()).toBe("{athens: 1}");
    const [sibling] = store.get("cart").siblings;
    expect(sibling?.wallMs).toBe(1_764_000_000_000);
    expect(sibling?.vector.toString()).toBe("{athens: 1}");
  });

  it("merges what other replicas hold, idempotently", () => {
    const athens = storeOf("athens");
    const byzantium = storeOf("byzantium");
    athens.put("cart", "milk");
    byzantium.put("cart", "eggs");
    expect(byzantium.merge("cart", athens.get("cart").siblings)).toBe(true);
    expect(byzantium.merge("cart", athens.get("cart").siblings)).toBe(false);
    expect(byzantium.get("cart").siblings.map((s) => s.value)).toEqual(["milk", "eggs"]);
    const resolved = byzantium.put("cart", "eggs+milk", byzantium.get("cart").context);
    expect(resolved.context.toString()).toBe("{athens: 1, byzantium: 2}");
    expect(athens.merge("cart", byzantium.get("cart").siblings)).toBe(true);
    expect(athens.get("cart").siblings.map((s) => s.value)).toEqual(["eggs+milk"]);
    expect([...athens.keys()]).toEqual(["cart"]);
    expect(athens.size).toBe(1);
  });

  it("accepts a plain version vector as the context", () => {
    const store = storeOf("blue", "vector");
    store.put("x", "one");
    expect(() => store.put("x", "stale", VersionVector.empty)).toThrow(ObsoleteVersionError);
    expect(store.put("x", "two", VersionVector.from({ blue: 1 })).context.toString()).toBe(
      "{blue: 2}",
    );
  });

  it("validates its options and keys", () => {
    expect(() => new ReplicaStore({ replicaId: "", clock })).toThrow(InvalidArgumentError);
    expect(() => new ReplicaStore({ replicaId: "a", clock, siblingsMax: 0 })).toThrow(
      InvalidArgumentError,
    );
    expect(() => new ReplicaStore({ replicaId: "a", clock, mode: "lww" as "dotted" })).toThrow(
      InvalidArgumentError,
    );
    expect(() => storeOf("a").put("k".repeat(1025), "v")).toThrow(InvalidArgumentError);
  });
});
