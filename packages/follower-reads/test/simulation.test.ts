import { isPodsError, type NodeId } from "@pods/core-interfaces";
import { runSeeds, seedsFromEnv } from "@pods/simulation";
import { describe, expect, it } from "vitest";
import { NoReplicaAvailableError, TooStaleError, type ReadOptions } from "../src/index.ts";
import { stateAt, startCluster } from "./replication-harness.ts";
import { errorOf, settle, valueOf } from "./settle.ts";

// Follower reads under faults, over many seeds: loss, duplication, reordering, partitions between
// the leader and a follower, an isolated follower, a paused one and a restarted one. Every read
// that succeeds is checked against the leader's committed sequence: it returns the state as of
// the version it reports; that version is at least the minimum the read asked for and the
// client's session token (so at least its own acknowledged writes, and never going back); a read
// with maxStalenessMs sees every write committed that long before it began; and a linearizable
// read (follower ReadIndex) sees every write committed before it began.

const keys = ["title", "author", "chapter"] as const;

interface ReadRecord {
  readonly client: NodeId;
  readonly key: string;
  readonly minVersion: number;
  readonly sessionBefore: number;
  readonly version: number;
  readonly value: string | null;
  readonly nodeId: NodeId;
  readonly waitedMs: number;
  /** Follower ReadIndex: the read must see every write committed before it began. */
  readonly linearizable: boolean;
  readonly committedAtInvoke: number;
  /** Bounded staleness: the read must see every write committed that long before it began. */
  readonly maxStalenessMs: number | undefined;
  readonly leaderMsAtInvoke: number;
}

async function runWorkload(seed: number, operationsPerClient: number) {
  const { sim, leader, followers, addClient } = startCluster({
    seed,
    followers: [
      { id: "byzantium", region: "us-east", applyDelayMs: 5 },
      { id: "cyrene", region: "us-west", applyDelayMs: 40 },
      { id: "delphi", region: "us-east", applyDelayMs: 400 },
    ],
    leaderRegion: "eu-central",
    network: {
      lossRate: 0.05,
      duplicateRate: 0.05,
      latency: ({ from, to, random }) =>
        (from === "athens" || to === "athens" ? 30 : 2) + random.int(0, 20),
    },
    reader: { followerWaitTimeoutMs: 1000 },
  });
  const followerIds = [...followers.keys()];
  for (const id of followerIds) {
    sim.addInvariant(`${id} applies only the committed sequence`, () => {
      const node = followers.get(id);
      if (node === undefined || !node.isUp || !node.isBooted) return;
      const replica = node.instance;
      for (const key of keys) {
        const expected = stateAt(leader.instance.log, replica.progress.appliedVersion, key);
        if ((replica.state.get(key) ?? null) !== expected) {
          throw new Error(
            `${id} holds ${key}=${replica.state.get(key)} at version ${replica.progress.appliedVersion}`,
          );
        }
      }
    });
  }

  // Faults from the seed.
  sim.at(200 + sim.random.int(0, 300), "partition a follower from the leader", () => {
    const heal = sim.network.partition(["athens"], [sim.random.pick(followerIds)]);
    sim.at(sim.now + 500 + sim.random.int(0, 2000), "heal the partition", heal);
  });
  sim.at(800 + sim.random.int(0, 500), "isolate a follower", () => {
    const heal = sim.network.isolate(sim.random.pick(followerIds));
    sim.at(sim.now + 300 + sim.random.int(0, 1500), "heal the isolation", heal);
  });
  sim.at(1500 + sim.random.int(0, 500), "pause a follower", () => {
    const node = sim.node(sim.random.pick(followerIds));
    node.pause();
    sim.at(sim.now + 200 + sim.random.int(0, 1500), "resume it", () => node.resume());
  });
  sim.at(2500 + sim.random.int(0, 500), "crash a follower", () => {
    const node = sim.node(sim.random.pick(followerIds));
    if (node.isPaused) return;
    node.crash();
    sim.at(sim.now + 100 + sim.random.int(0, 1000), "restart it", () => void node.restart());
  });

  const reads: ReadRecord[] = [];
  const clientLoops = (["ephesus", "sparta"] as const).map((id) => {
    const node = addClient(id, id === "ephesus" ? "us-east" : "us-west", 3000);
    return sim.spawn(`client ${id}`, async () => {
      const client = await node.ready();
      for (let n = 0; n < operationsPerClient; n++) {
        const key = sim.random.pick(keys);
        try {
          if (sim.random.float() < 0.3) {
            await client.write(key, `${id}-${n}`);
          } else {
            const committedAtInvoke = leader.instance.log.length;
            const leaderMsAtInvoke = leader.instance.env.clock.monotonicMs();
            const options: ReadOptions = {
              minVersion: sim.random.float() < 0.3 ? sim.random.int(0, committedAtInvoke + 1) : 0,
              ...(sim.random.float() < 0.3
                ? { maxStalenessMs: sim.random.pick([50, 100, 300, 1000]) }
                : {}),
              ...(sim.random.float() < 0.2 ? { linearizable: true } : {}),
            };
            const sessionBefore = client.reads.session.version;
            const result = await client.reads.read(key, options);
            reads.push({
              client: id,
              key,
              minVersion: options.minVersion ?? 0,
              sessionBefore,
              linearizable: options.linearizable === true,
              committedAtInvoke,
              maxStalenessMs: options.maxStalenessMs,
              leaderMsAtInvoke,
              ...result,
            });
          }
        } catch (error) {
          // Timed-out writes may or may not commit; a read nobody could serve read nothing.
          if (
            !isPodsError(error) ||
            !(error.code === "TIMEOUT" || error instanceof NoReplicaAvailableError)
          ) {
            throw error;
          }
        }
        await sim.sleep(sim.random.int(0, 100));
      }
    });
  });
  await sim.runUntilSettled(clientLoops, { timeoutMs: 600_000 });
  const { log, commitTimesMs } = leader.instance;
  return { sim, reads, log, commitTimesMs };
}

describe("follower reads in a faulty cluster", () => {
  it("never serve state older than the minimum version, and keep each session monotonic", async () => {
    let servedByFollowers = 0;
    let waited = 0;
    let linearizableByFollowers = 0;
    await runSeeds(
      seedsFromEnv({ defaultCount: 40 }),
      async (seed) => {
        const { sim, reads, log, commitTimesMs } = await runWorkload(seed, 40);
        sim.check(
          "each read returns the committed state at its version, at or above its minimum",
          () => {
            for (const read of reads) {
              expect(read.version).toBeGreaterThanOrEqual(
                Math.max(read.minVersion, read.sessionBefore),
              );
              expect(read.version).toBeLessThanOrEqual(log.length);
              expect(read.value).toBe(stateAt(log, read.version, read.key));
            }
          },
        );
        sim.check("each session's reads never go back", () => {
          for (const client of ["ephesus", "sparta"]) {
            const versions = reads
              .filter((read) => read.client === client)
              .map((read) => read.version);
            expect(versions).toEqual([...versions].sort((a, b) => a - b));
          }
        });
        sim.check("each bounded read sees every write committed maxStalenessMs before it", () => {
          for (const read of reads) {
            if (read.maxStalenessMs === undefined) continue;
            const boundMs = read.leaderMsAtInvoke - read.maxStalenessMs;
            const committedByThen = commitTimesMs.filter((atMs) => atMs <= boundMs).length;
            expect(read.version).toBeGreaterThanOrEqual(committedByThen);
          }
        });
        sim.check("each linearizable read sees every write committed before it began", () => {
          for (const read of reads.filter((r) => r.linearizable)) {
            expect(read.version).toBeGreaterThanOrEqual(read.committedAtInvoke);
          }
        });
        servedByFollowers += reads.filter((read) => read.nodeId !== "athens").length;
        linearizableByFollowers += reads.filter(
          (r) => r.linearizable && r.nodeId !== "athens",
        ).length;
        waited += reads.filter((read) => read.waitedMs > 0).length;

        console.log(
          seed,
          reads.length,
          log.length,
          reads.filter((r) => r.nodeId !== "athens").length,
          reads.filter((r) => r.waitedMs > 0).length,
          sim.now,
        );
      },
      { file: import.meta.url },
    );
    // The workload exercised what it claims to: follower reads, some after waiting.
    expect(servedByFollowers).toBeGreaterThan(0);
    expect(waited).toBeGreaterThan(0);
    expect(linearizableByFollowers).toBeGreaterThan(0);
  }, 120_000);

  it("replays a seed exactly", async () => {
    const first = await runWorkload(7, 15);
    const again = await runWorkload(7, 15);
    expect(again.sim.traceHash).toBe(first.sim.traceHash);
    expect(again.reads).toEqual(first.reads);
  }, 60_000);
});

describe("bounded staleness is measured from the echoed stamp, not from arrival", () => {
  const cluster = (seed: number, applyDelayMs: number) => {
    const world = startCluster({
      seed,
      followers: [{ id: "byzantium", region: "us-east", applyDelayMs }],
      leaderRegion: "eu-central",
    });
    const byzantium = world.replicas.find((replica) => replica.nodeId === "byzantium");
    if (byzantium === undefined) throw new Error("byzantium is a replica");
    return { ...world, byzantium };
  };

  it("a fresh follower that has not applied what the leader reported committed waits for it", async () => {
    await runSeeds(
      seedsFromEnv({ defaultCount: 10 }),
      async (seed) => {
        const { sim, follower, addClient, byzantium } = cluster(seed, 1000);
        const writer = await addClient("ephesus", "eu-central").ready();
        const reader = await addClient("sparta", "us-east").ready(); // a new session
        await sim.runUntilSettled([writer.write("title", "Microservices")]);
        await sim.runUntil(() => follower("byzantium").progress.committedVersion === 1);
        const read = settle(reader.port.read(byzantium, "title", { maxStalenessMs: 500 }));
        const result = valueOf((await sim.runUntilSettled([read]))[0]);
        sim.check("served only once version 1 is applied", () => {
          expect(result).toMatchObject({ value: "Microservices", version: 1 });
          expect(result.waitedMs).toBeGreaterThan(0);
        });
      },
      { file: import.meta.url },
    );
  }, 60_000);

  it("a follower whose leader messages keep arriving, each 2 s late, is too stale for 1 s", async () => {
    await runSeeds(
      seedsFromEnv({ defaultCount: 10 }),
      async (seed) => {
        const { sim, addClient, byzantium } = cluster(seed, 1);
        const reader = await addClient("sparta", "us-east").ready();
        sim.network.addRule({
          from: "athens",
          to: "byzantium",
          action: { kind: "delay", extraMs: 2000 },
        });
        await sim.runFor(5000); // heartbeats arrive every 50 ms, each sent 2 s earlier
        const read = settle(reader.port.read(byzantium, "title", { maxStalenessMs: 1000 }));
        const error = errorOf((await sim.runUntilSettled([read]))[0]);
        sim.check("refused: its state is at least 2 s old", () => {
          expect(error).toBeInstanceOf(TooStaleError);
          expect((error as TooStaleError).msSinceLeaderContact).toBeGreaterThan(2000);
        });
      },
      { file: import.meta.url },
    );
  }, 60_000);
});
