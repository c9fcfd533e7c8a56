import { runSeeds, seedsFromEnv } from "@pods/simulation";
import {
  CausalContext,
  formatDot,
  NotEnoughReplicasError,
  readContext,
  type Sibling,
} from "@pods/version-vector";
import { describe, expect, it } from "vitest";
import { createCluster } from "./cluster.ts";

// Three replicas accept concurrent writes from three clients over a lossy, duplicating,
// reordering network that is partitioned for a while, with anti-entropy gossip between replicas.
// The ground truth of causality is kept beside the run: for every write, the versions (by dot) its
// client had really seen — read, transitively, or written itself. After healing, every replica must
// hold the same siblings, every acknowledged version must survive unless a surviving version's
// writer saw it, and no surviving version's writer may have seen another survivor. (A put that
// timed out at one coordinator and was retried at the next may be stored twice, under two dots:
// the client saw only the acknowledged one, so the other is a true sibling.)

const replicas = ["athens", "byzantium", "cyrene"] as const;
const clients = ["delphi", "ephesus", "sparta"] as const;
const keys = ["x", "y"] as const;

interface Session {
  context: CausalContext;
  knows: Set<string>;
}

async function runScenario(seed: number) {
  const cluster = createCluster<string>({
    seed,
    replicas,
    clients,
    network: { lossRate: 0.1, duplicateRate: 0.05, latency: { minMs: 1, maxMs: 10 } },
    writeQuorum: 1 + (seed % 2),
    readQuorum: 1 + (seed % 3 === 0 ? 1 : 0),
    // Each client prefers a different coordinator, so writes are concurrent across replicas too.
    preferenceListOf: (client) => {
      const shift = clients.indexOf(client as (typeof clients)[number]);
      return [...replicas.slice(shift), ...replicas.slice(0, shift)];
    },
  });
  await cluster.ready();
  const { sim, server, client } = cluster;

  /** For every write ever attempted (by value): the versions (by dot) its client had seen. */
  const knowsOf = new Map<string, ReadonlySet<string>>();
  const acknowledged: { key: string; value: string; dot: string }[] = [];

  sim.addInvariant("no replica holds a sibling that another sibling of the key has seen", () => {
    for (const replica of replicas) {
      for (const key of keys) {
        const siblings = server(replica).store.get(key).siblings;
        for (const older of siblings) {
          for (const newer of siblings) {
            if (older !== newer && readContext([newer]).covers(older.dot)) {
              throw new Error(`${replica} holds ${older.value}, superseded by ${newer.value}`);
            }
          }
        }
      }
    }
  });

  const start = sim.now;
  sim.at(start + 40 + sim.random.int(0, 60), "partition athens and delphi away", () => {
    const heal = sim.network.partition(
      ["athens", "delphi"],
      ["byzantium", "cyrene", "ephesus", "sparta"],
    );
    sim.at(sim.now + 150 + sim.random.int(0, 150), "heal the partition", heal);
  });
  sim.at(start + 100 + sim.random.int(0, 200), "isolate a replica", () => {
    const heal = sim.network.isolate(sim.random.pick(replicas));
    sim.at(sim.now + 100, "heal the isolated replica", heal);
  });

  const loops = clients.map((id) =>
    sim.spawn(id, async () => {
      const sessions = new Map<string, Session>(
        keys.map((key) => [key, { context: CausalContext.empty, knows: new Set<string>() }]),
      );
      for (let n = 0; n < 15; n++) {
        const key = sim.random.pick(keys);
        const session = sessions.get(key) as Session;
        if (sim.random.chance(0.5)) {
          // Read, then write with the read's context merged into the session.
          try {
            const read = await client(id).get(key);
            session.context = session.context.merge(read.context);
            for (const sibling of read.siblings) learn(session.knows, sibling, knowsOf);
          } catch (error) {
            if (!(error instanceof NotEnoughReplicasError)) throw error;
          }
        } // otherwise write with the context of this client's own last write: stale, blind.
        const value = `${id}/${n}`;
        knowsOf.set(value, new Set(session.knows));
        try {
          const result = await client(id).put(key, value, session.context);
          const dot = formatDot(result.dot);
          acknowledged.push({ key, value, dot });
          session.context = session.context.merge(result.context);
          session.knows.add(dot);
        } catch (error) {
          if (!(error instanceof NotEnoughReplicasError)) throw error;
        }
        await sim.sleep(sim.random.int(0, 20));
      }
    }),
  );
  await sim.runUntilSettled(loops, { timeoutMs: 60_000 });

  sim.network.heal();
  const converged = () =>
    keys.every((key) => {
      const [first, ...others] = replicas.map((replica) =>
        server(replica)
          .store.get(key)
          .siblings.map((sibling) => `${sibling.dot.node}:${sibling.dot.counter}`)
          .join(),
      );
      return others.every((other) => other === first);
    });
  await sim.runUntil(converged, { timeoutMs: 30_000 });

  for (const key of keys) {
    const survivors = server("athens").store.get(key).siblings;
    const sawIt = (survivor: Sibling<string>, dot: string) =>
      knowsOf.get(survivor.value)?.has(dot) === true;
    sim.check(`key ${key}: no acknowledged write is lost unless a survivor's writer saw it`, () => {
      for (const { value, dot } of acknowledged.filter((write) => write.key === key)) {
        const kept = survivors.some(
          (survivor) => formatDot(survivor.dot) === dot || sawIt(survivor, dot),
        );
        expect(kept, `${value} (${dot}) lost`).toBe(true);
      }
    });
    sim.check(`key ${key}: no survivor's writer saw another survivor`, () => {
      for (const survivor of survivors) {
        for (const other of survivors) expect(sawIt(other, formatDot(survivor.dot))).toBe(false);
      }
    });
  }
  return { sim, acknowledged };
}

/** Adds a read sibling and everything its writer had seen to what a client knows. */
function learn(
  knows: Set<string>,
  sibling: Sibling<string>,
  knowsOf: ReadonlyMap<string, ReadonlySet<string>>,
): void {
  knows.add(formatDot(sibling.dot));
  for (const earlier of knowsOf.get(sibling.value) ?? []) knows.add(earlier);
}

describe("replicas under partitions, loss and duplication", () => {
  it("converge to the same siblings, losing no acknowledged write that no surviving write saw", async () => {
    let acknowledgedTotal = 0;
    await runSeeds(
      seedsFromEnv({ defaultCount: 25 }),
      async (seed) => {
        acknowledgedTotal += (await runScenario(seed)).acknowledged.length;
      },
      { file: import.meta.url },
    );
    expect(acknowledgedTotal).toBeGreaterThan(0);
  }, 120_000);

  it("replays a seed exactly", async () => {
    const first = await runScenario(7);
    const again = await runScenario(7);
    const other = await runScenario(8);
    expect(again.sim.traceHash).toBe(first.sim.traceHash);
    expect(again.acknowledged).toEqual(first.acknowledged);
    expect(other.sim.traceHash).not.toBe(first.sim.traceHash);
  }, 60_000);
});
