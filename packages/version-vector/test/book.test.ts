import {
  lastWriterWins,
  ObsoleteVersionError,
  resolveSiblings,
  VersionVector,
  type Sibling,
} from "@pods/version-vector";
import { describe, expect, it } from "vitest";
import { createCluster } from "./cluster.ts";

// The acceptance scenarios of PATTERNS.md, section 16 (Version Vector), one test each. Servers are
// named by the book's colours.

const v = (entries: Record<string, number>) => VersionVector.from(entries);

describe("version vector: the book's scenarios", () => {
  it("compare-table", () => {
    expect(v({ blue: 2, green: 1 }).compare(v({ blue: 1, green: 1 }))).toBe("after");
    expect(v({ blue: 2, green: 1 }).compare(v({ blue: 1, green: 2 }))).toBe("concurrent");
    expect(v({ blue: 1, green: 1, red: 1 }).compare(v({ blue: 1, green: 1 }))).toBe("after");
    expect(v({ blue: 1, green: 1, red: 1 }).compare(v({ blue: 1, green: 1, pink: 1 }))).toBe(
      "concurrent",
    );
    expect(v({ blue: 1, green: 1 }).compare(v({ blue: 1, green: 1 }))).toBe("equal");
    expect(v({}).compare(v({ a: 1 }))).toBe("before");
  });

  it("concurrent-writes-become-siblings", async () => {
    const cluster = createCluster<string>({
      seed: 1,
      replicas: ["blue", "green"],
      clients: ["client-1", "client-2"],
    });
    await cluster.ready();
    const { sim, client } = cluster;
    sim.network.blockLink("client-2", "blue", { mode: "refuse" });

    const [first] = await sim.runUntilSettled([client("client-1").put("x", "one")]);
    expect(first.context.vector.toString()).toBe("{blue: 1}");
    const [second] = await sim.runUntilSettled([client("client-2").put("x", "two")]);
    expect(second.context.vector.toString()).toBe("{green: 1}");
    await sim.runFor(100); // replication

    const [read] = await sim.runUntilSettled([client("client-1").get("x")]);
    expect(read.siblings.map((s) => s.value)).toEqual(["one", "two"]);
    expect(read.context.toString()).toBe("{blue: 1, green: 1}");

    const [merged] = await sim.runUntilSettled([
      client("client-1").put("x", "one+two", read.context),
    ]);
    expect(merged.context.toString()).toBe("{blue: 2, green: 1}");
    await sim.runFor(100);
    for (const replica of ["blue", "green"]) {
      expect(cluster.siblingsAt(replica, "x")).toEqual(["one+two @ {blue: 2, green: 1}"]);
    }
  });

  it("obsolete-write-refused", async () => {
    const cluster = createCluster<string>({
      seed: 2,
      mode: "vector",
      replicas: ["blue", "green"],
      clients: ["client-1"],
    });
    await cluster.ready();
    const { sim, client } = cluster;
    const [first] = await sim.runUntilSettled([client("client-1").put("x", "one")]);
    await sim.runUntilSettled([client("client-1").put("x", "two", first.context)]);
    await sim.runFor(100);
    const before = cluster.siblingsAt("blue", "x");
    expect(before).toEqual(["two @ {blue: 2}"]);

    const [refusal] = await sim.runUntilSettled([
      client("client-1")
        .put("x", "stale", first.context)
        .then(
          () => undefined,
          (error: unknown) => error,
        ),
    ]);
    expect(refusal).toBeInstanceOf(ObsoleteVersionError);
    expect((refusal as ObsoleteVersionError).outcome).toBe("definite");
    expect((refusal as ObsoleteVersionError).stored.toString()).toBe("{blue: 2}");
    await sim.runFor(100);
    expect(cluster.siblingsAt("blue", "x")).toEqual(before);
    expect(cluster.siblingsAt("green", "x")).toEqual(before);
  });

  it("read-repair", async () => {
    const cluster = createCluster<string>({
      seed: 3,
      replicas: ["blue", "green"],
      clients: ["client-1"],
      readQuorum: 2,
      antiEntropyIntervalMs: 1_000_000, // only the read repairs
    });
    await cluster.ready();
    const { sim, server, client } = cluster;
    const blue = server("blue").store;
    const green = server("green").store;
    green.put("x", "old");
    blue.merge("x", green.get("x").siblings);
    blue.put("x", "new", blue.get("x").context);
    expect(cluster.siblingsAt("blue", "x")).toEqual(["new @ {blue: 1, green: 1}"]);
    expect(cluster.siblingsAt("green", "x")).toEqual(["old @ {green: 1}"]);

    const [read] = await sim.runUntilSettled([client("client-1").get("x")]);
    expect(read.siblings.map((s) => s.value)).toEqual(["new"]);
    await sim.runFor(20);
    expect(cluster.siblingsAt("green", "x")).toEqual(["new @ {blue: 1, green: 1}"]);
  });

  it("lww-resolver", async () => {
    const cluster = createCluster<string>({
      seed: 4,
      replicas: ["blue", "green"],
      clients: ["client-1", "client-2"],
      readQuorum: 2,
    });
    await cluster.ready();
    const { sim, client } = cluster;
    await sim.runUntilSettled([client("client-1").put("x", "earlier")]);
    await sim.runFor(10);
    await sim.runUntilSettled([client("client-2").put("x", "later")]); // a blind, concurrent write
    await sim.runFor(100);

    const [read] = await sim.runUntilSettled([client("client-1").get("x")]);
    expect(read.siblings.map((s) => s.value).sort()).toEqual(["earlier", "later"]);
    const lost: Sibling<string>[] = [];
    const resolved = resolveSiblings(
      read,
      lastWriterWins<string>({ onDiscard: (discarded) => lost.push(...discarded) }),
    );
    expect(resolved?.value).toBe("later");
    expect(lost.map((s) => s.value)).toEqual(["earlier"]);

    await sim.runUntilSettled([client("client-1").put("x", "later", resolved?.context)]);
    await sim.runFor(100);
    expect(cluster.siblingsAt("blue", "x")).toHaveLength(1);
    expect(cluster.siblingsAt("green", "x")).toEqual(cluster.siblingsAt("blue", "x"));
  });
});
