import { NotLeaderError, type NodeId } from "@pods/core-interfaces";
import { runSeeds, seedsFromEnv } from "@pods/simulation";
import { describe, expect, it } from "vitest";
import { LeaderRedirectError, type LeaderElection } from "../src/index.ts";
import { checkOneLeaderPerGeneration, electionCluster, type ElectionCluster } from "./cluster.ts";

// The acceptance scenarios of PATTERNS.md section 4 (Leader and Followers), one test each, over
// seeds. A "client write" here is the leader's guard `assertLeader()`: what a store built on this
// service calls before accepting a write.

const T = 1000; // election timeout
const hb = 100; // heartbeat interval
const options = { file: import.meta.url };

async function settledLeader(cluster: ElectionCluster, withinMs: number): Promise<NodeId> {
  await cluster.sim.runUntil(() => cluster.agreedLeader() !== undefined, { timeoutMs: withinMs });
  return cluster.agreedLeader()!;
}

/** Tries a write on `id`: "ok", or the NotLeaderError it got. */
function write(cluster: ElectionCluster, id: NodeId): "ok" | NotLeaderError {
  try {
    cluster.service(id).assertLeader();
    return "ok";
  } catch (error) {
    if (error instanceof NotLeaderError) return error;
    throw error;
  }
}

describe("leader and followers (PATTERNS.md 4)", () => {
  it("elects-one-leader", async () => {
    await runSeeds(
      seedsFromEnv({ defaultCount: 10 }),
      async (seed) => {
        for (const size of [3, 5]) {
          const cluster = electionCluster({ seed, size });
          checkOneLeaderPerGeneration(cluster);
          const leader = await settledLeader(cluster, 5 * T);
          const { generation } = cluster.service(leader);
          cluster.sim.check("generation > 0, one leader", () => {
            expect(generation).toBeGreaterThan(0);
            expect(cluster.leaders()).toEqual([leader]);
          });
          await cluster.sim.runFor(100 * hb);
          cluster.sim.check("no further election during 100 heartbeat intervals", () => {
            expect(cluster.agreedLeader()).toBe(leader);
            for (const id of cluster.ids) expect(cluster.service(id).generation).toBe(generation);
          });
        }
      },
      options,
    );
  }, 120_000);

  it("isolated-leader-replaced", async () => {
    await runSeeds(
      seedsFromEnv({ defaultCount: 10 }),
      async (seed) => {
        const cluster = electionCluster({ seed, size: 5 });
        checkOneLeaderPerGeneration(cluster);
        const old = await settledLeader(cluster, 5 * T);
        const oldGeneration = cluster.service(old).generation;
        const isolatedAt = cluster.sim.now;
        const heal = cluster.sim.network.isolate(old);
        const others = cluster.ids.filter((id) => id !== old);
        const newLeader = (): NodeId | undefined =>
          others.find(
            (id) => cluster.service(id).isLeader && cluster.service(id).generation > oldGeneration,
          );
        let steppedDownAt: number | undefined;
        await cluster.sim.runUntil(
          () => {
            if (steppedDownAt === undefined && !cluster.service(old).isLeader) {
              steppedDownAt = cluster.sim.now;
            }
            return newLeader() !== undefined && steppedDownAt !== undefined;
          },
          { timeoutMs: 2 * 2 * T },
        );
        cluster.sim.check(
          "CheckQuorum: the isolated leader stepped down within one election timeout",
          () => {
            expect(steppedDownAt! - isolatedAt).toBeLessThanOrEqual(T + hb);
            expect(cluster.service(old).generation).toBe(oldGeneration);
          },
        );
        const replacement = newLeader()!;
        heal();
        await cluster.sim.runUntil(() => cluster.agreedLeader() === replacement, {
          timeoutMs: 2 * T,
        });
        cluster.sim.check("after healing it follows the new leader", () => {
          expect(cluster.service(old).role).toBe("follower");
          expect(cluster.service(old).leaderId).toBe(replacement);
        });
      },
      options,
    );
  }, 120_000);

  it("stale-log-cannot-win", async () => {
    await runSeeds(
      seedsFromEnv({ defaultCount: 10 }),
      async (seed) => {
        const positions = new Map([
          ["athens", { index: 1, generation: 1 }],
          ["byzantium", { index: 0, generation: 0 }],
          ["cyrene", { index: 0, generation: 0 }],
        ]);
        // Timeouts far away: the test decides who times out first.
        const cluster = electionCluster({
          seed,
          size: 5,
          positions,
          down: ["delphi", "ephesus"],
          electionTimeoutMs: 60 * T,
          heartbeatIntervalMs: hb,
        });
        checkOneLeaderPerGeneration(cluster);
        await cluster.sim.runFor(10);
        const byzantium = cluster.service("byzantium");
        await cluster.sim.runUntilSettled([byzantium.campaign()]);
        await cluster.sim.runFor(200);
        cluster.sim.check("byzantium gets 2 of 5 (its own and cyrene's): no leader", () => {
          expect([...byzantium.election.votes]).toEqual(
            expect.arrayContaining([
              ["byzantium", true],
              ["cyrene", true],
              ["athens", false],
            ]),
          );
          expect(cluster.leaders()).toEqual([]);
        });
        const athens = cluster.service("athens");
        await cluster.sim.runUntilSettled([athens.campaign()]);
        await cluster.sim.runUntil(() => athens.isLeader, { timeoutMs: 500 });
        cluster.sim.check("athens wins with byzantium's and cyrene's votes", () => {
          const granted = [...athens.election.votes].filter(([, yes]) => yes).map(([id]) => id);
          expect(granted).toContain("athens");
          expect(granted.length).toBeGreaterThanOrEqual(3);
          expect(
            cluster.service("byzantium").votedFor === "athens" ||
              cluster.service("cyrene").votedFor === "athens",
          ).toBe(true);
        });
      },
      options,
    );
  }, 120_000);

  it("follower-redirects", async () => {
    await runSeeds(
      seedsFromEnv({ defaultCount: 10 }),
      async (seed) => {
        const cluster = electionCluster({ seed, size: 3 });
        const leader = await settledLeader(cluster, 5 * T);
        const follower = cluster.ids.find((id) => id !== leader)!;
        const refused = write(cluster, follower);
        cluster.sim.check("a follower redirects to the leader's id and address", () => {
          expect(refused).toBeInstanceOf(LeaderRedirectError);
          expect((refused as LeaderRedirectError).leaderHint).toBe(leader);
          expect((refused as LeaderRedirectError).leaderAddress).toBe(cluster.addresses[leader]);
          expect((refused as LeaderRedirectError).outcome).toBe("definite");
          expect(write(cluster, leader)).toBe("ok");
        });
        cluster.nodes.get(leader)!.crash();
        const survivors = cluster.ids.filter((id) => id !== leader);
        let duringElection: NotLeaderError | undefined;
        await cluster.sim.runUntil(
          () => {
            for (const id of survivors) {
              const outcome = write(cluster, id);
              if (outcome !== "ok" && outcome.leaderHint === undefined) duringElection = outcome;
            }
            return duringElection !== undefined;
          },
          { timeoutMs: 4 * T },
        );
        cluster.sim.check("during the election: a retriable NotLeaderError without a hint", () => {
          expect(duringElection?.outcome).toBe("definite");
        });
        await cluster.sim.runUntil(() => survivors.some((id) => write(cluster, id) === "ok"), {
          timeoutMs: 4 * T,
        });
      },
      options,
    );
  }, 120_000);

  it("prevote-rejoin-is-quiet", async () => {
    await runSeeds(
      seedsFromEnv({ defaultCount: 10 }),
      async (seed) => {
        const cluster = electionCluster({ seed, size: 5 });
        checkOneLeaderPerGeneration(cluster);
        const leader = await settledLeader(cluster, 5 * T);
        const generation = cluster.service(leader).generation;
        let failedWrites = 0;
        let writes = 0;
        const writer = cluster.sim.spawn("writer", async () => {
          for (let n = 0; n < (16 * T) / 50; n++) {
            writes++;
            if (write(cluster, leader) !== "ok") failedWrites++;
            await cluster.sim.sleep(50);
          }
        });
        const follower = cluster.ids.find((id) => id !== leader)!;
        const heal = cluster.sim.network.isolate(follower);
        await cluster.sim.runFor(10 * T);
        heal();
        await cluster.sim.runUntilSettled([writer]);
        cluster.sim.check("generation and leader unchanged; no write failed", () => {
          expect(cluster.agreedLeader()).toBe(leader);
          for (const id of cluster.ids) expect(cluster.service(id).generation).toBe(generation);
          expect(writes).toBe(320);
          expect(failedWrites).toBe(0);
          expect(cluster.service(follower).metrics.electionsStarted).toBe(0);
          expect(cluster.service(follower).metrics.preVotesStarted).toBeGreaterThan(0);
        });
      },
      options,
    );
  }, 120_000);

  it("leadership-transfer", async () => {
    await runSeeds(
      seedsFromEnv({ defaultCount: 10 }),
      async (seed) => {
        const cluster = electionCluster({ seed, size: 3 });
        checkOneLeaderPerGeneration(cluster);
        await cluster.sim.runFor(10);
        await cluster.sim.runUntilSettled([cluster.service("athens").campaign()]);
        await settledLeader(cluster, 5 * T);
        const athens: LeaderElection = cluster.service("athens");
        cluster.sim.check("athens leads first", () => expect(athens.isLeader).toBe(true));
        const generation = athens.generation;
        const outcomes: string[] = [];
        const writer = cluster.sim.spawn("writer", async () => {
          for (let n = 0; n < 40; n++) {
            const outcome = write(cluster, "athens");
            outcomes.push(outcome === "ok" ? "ok" : outcome.code);
            await cluster.sim.sleep(10);
          }
        });
        await cluster.sim.runFor(50);
        const started = cluster.sim.now;
        await cluster.sim.runUntilSettled([athens.transferLeadership("cyrene")]);
        await cluster.sim.runUntil(() => cluster.service("cyrene").isLeader, { timeoutMs: T });
        cluster.sim.check("cyrene leads in generation + 1 within one election timeout", () => {
          expect(cluster.sim.now - started).toBeLessThanOrEqual(T);
          expect(cluster.service("cyrene").generation).toBe(generation + 1);
        });
        await cluster.sim.runUntilSettled([writer]);
        cluster.sim.check("writes during the transfer succeed or fail with NotLeaderError", () => {
          expect(new Set(outcomes)).toEqual(new Set(["ok", "NOT_LEADER"]));
          expect(outcomes.indexOf("NOT_LEADER")).toBeGreaterThan(0);
          expect(outcomes.slice(outcomes.indexOf("NOT_LEADER"))).not.toContain("ok");
        });
      },
      options,
    );
  }, 120_000);
});
