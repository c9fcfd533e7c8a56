// Versions from hybrid clocks on skewed, drifting nodes: three writers stamp puts and deletes with
// their own HybridClock (and exchange clocks now and then, so some writes causally follow others)
// and send them to two replicas over a network that reorders and duplicates. Each replica applies
// what arrives, in whatever order, with putAt/deleteAt. Checked over many seeds:
// - the replicas converge to the same contents, equal to a naive model of every write issued;
// - a read at any issued timestamp gives the model's answer on both replicas;
// - a write issued after a writer learned of another write (through a clock message) has a later
//   version, so a read at it sees that other write or something newer;
// - compacting at a common point keeps every read at or above it unchanged.
import { hybridTimestamp, HybridClock, type HybridTimestamp } from "@pods/hybrid-clock";
import { runSeeds, seedsFromEnv, Simulation } from "@pods/simulation";
import { VersionedStore } from "@pods/versioned-value";
import { expect, it } from "vitest";
import { hybridVersions } from "./hybrid-versions.ts";
import { NaiveModel } from "./naive-model.ts";

type Message =
  | { type: "write"; key: string; version: HybridTimestamp; value: string | null }
  | { type: "clock"; timestamp: HybridTimestamp; after: HybridTimestamp };

interface Issued {
  readonly key: string;
  readonly version: HybridTimestamp;
  readonly value: string | null;
}

const writers = [
  { id: "athens", offsetMs: 0, driftPpm: 0 },
  { id: "byzantium", offsetMs: 120, driftPpm: 200 },
  { id: "cyrene", offsetMs: -250, driftPpm: -300 },
] as const;
const replicas = ["delphi", "ephesus"] as const;
const keys = ["account-101", "account-102", "account-103", "audit"];
const writesPerWriter = 40;

async function runReplicas(seed: number) {
  const sim = new Simulation<Message>({
    seed,
    network: { latency: { minMs: 1, maxMs: 60 }, duplicateRate: 0.2 },
  });
  const stores = new Map<string, VersionedStore<string, HybridTimestamp>>();
  for (const id of replicas) {
    sim.addNode(id, {
      boot: ({ transport }) => {
        const store = new VersionedStore<string, HybridTimestamp>({ versions: hybridVersions });
        stores.set(id, store);
        transport.onMessage((_from, message) => {
          if (message.type !== "write") return;
          // A duplicate repeats a write at its version: accepted as a repeat, changing nothing.
          if (message.value === null) store.deleteAt(message.key, message.version);
          else store.putAt(message.key, message.version, message.value);
        });
      },
    });
  }

  const issued: Issued[] = [];
  /** Pairs (earlier write, later write) where the later writer knew of the earlier one. */
  const causal: [Issued, Issued][] = [];
  const tasks = writers.map(({ id, offsetMs, driftPpm }) => {
    const node = sim.addNode(id, {
      clock: { offsetMs, driftPpm },
      boot: ({ env, transport }) => {
        const clock = new HybridClock({ clock: env.clock, nodeId: id, maxOffsetMs: 1000 });
        const learned: HybridTimestamp[] = [];
        transport.onMessage((_from, message) => {
          if (message.type !== "clock") return;
          clock.update(message.timestamp);
          learned.push(message.after);
        });
        return { clock, transport, learned };
      },
    });
    return sim.spawn(`writer ${id}`, async () => {
      const { clock, transport, learned } = await node.ready();
      for (let n = 0; n < writesPerWriter; n++) {
        await sim.sleep(sim.random.int(1, 25));
        const write: Issued = {
          key: sim.random.pick(keys),
          version: clock.now(),
          value: sim.random.float() < 0.2 ? null : `${id}-${n}`,
        };
        issued.push(write);
        for (const earlier of learned.splice(0)) {
          const known = issued.find((w) => hybridVersions.compare(w.version, earlier) === 0);
          if (known !== undefined && known.key === write.key) causal.push([known, write]);
        }
        for (const replica of replicas) transport.send(replica, { type: "write", ...write });
        if (sim.random.float() < 0.3) {
          const peer = sim.random.pick(writers.filter((w) => w.id !== id)).id;
          transport.send(peer, { type: "clock", timestamp: clock.now(), after: write.version });
        }
      }
    });
  });
  await sim.runUntilSettled(tasks);
  await sim.runFor(500); // every write and duplicate in flight arrives

  const model = new NaiveModel<string, HybridTimestamp>(hybridVersions);
  for (const write of issued) {
    model.write(write.key, write.version, write.value ?? undefined, write.value === null);
  }
  const [first, second] = replicas.map((id) => stores.get(id)!);
  const readsAt = (store: VersionedStore<string, HybridTimestamp>, versions: HybridTimestamp[]) =>
    versions.flatMap((at) => keys.map((key) => store.get(key, at)));
  const probes = [
    ...issued.map((write) => write.version),
    ...issued.map((write) => hybridTimestamp(write.version.wallMs)), // just before each millisecond
  ];

  sim.check("replicas converge to the writes issued", () => {
    expect(first!.snapshot()).toEqual(second!.snapshot());
    expect(first!.recordCount).toBe(issued.length);
    const expected = probes.flatMap((at) => keys.map((key) => model.get(key, at)));
    expect(readsAt(first!, probes).map((ok) => ({ ok }))).toEqual(expected);
    expect(readsAt(second!, probes).map((ok) => ({ ok }))).toEqual(expected);
  });
  sim.check("a write that knew of another supersedes it", () => {
    for (const [earlier, later] of causal) {
      expect(hybridVersions.compare(earlier.version, later.version)).toBeLessThan(0);
      const between = first!.history(later.key, {
        fromVersion: earlier.version,
        toVersion: later.version,
      });
      expect([between.at(0)?.version, between.at(-1)?.version]).toEqual([
        earlier.version,
        later.version,
      ]);
    }
  });
  sim.check("compaction keeps reads at or above its point", () => {
    const sorted = probes.slice().sort(hybridVersions.compare);
    const point = sorted[Math.floor(sorted.length / 2)]!;
    const above = sorted.filter((at) => hybridVersions.compare(at, point) >= 0);
    const before = readsAt(first!, above);
    first!.compact(point);
    expect(readsAt(first!, above)).toEqual(before);
    expect(first!.recordCount).toBeLessThan(second!.recordCount);
  });
  return { causal: causal.length, writes: issued.length, traceHash: sim.traceHash };
}

it("replicas of hybrid-timestamped writes converge however the network orders them", async () => {
  let causalPairs = 0;
  await runSeeds(
    seedsFromEnv({ defaultCount: 12 }),
    async (seed) => {
      const result = await runReplicas(seed);
      causalPairs += result.causal;
      expect(result.writes).toBe(writers.length * writesPerWriter);
    },
    { file: import.meta.url },
  );
  expect(causalPairs).toBeGreaterThan(0); // the causal check did check something
}, 120_000);

it("the same seed gives the same run", async () => {
  const [a, b] = [await runReplicas(7), await runReplicas(7)];
  expect(a).toEqual(b);
});
