import { invariant, type NodeId } from "@pods/core-interfaces";
import {
  compareHybridTimestamps,
  formatHybridTimestamp,
  type HybridClock,
  type HybridTimestamp,
} from "@pods/hybrid-clock";
import { nodeNames, Simulation, type SimNode } from "@pods/simulation";
import type { VersionedValue } from "@pods/versioned-value";
import { ClockBound, ClockUnsafeError, CommitWaitStore, PendingWrites } from "../src/index.ts";
import { expect } from "vitest";
import { CheckedClock } from "./checked-clock.ts";
import { hybridStore } from "./testbed.ts";

// Five nodes serve one replicated key space with commit wait and read wait. Each node's wall
// clock is kept by a simulated time daemon: it steps the clock (either way) to within a residual
// offset at every synchronisation, the clock drifts by up to 2 % in between, and the daemon
// reports an error bound of residual + twice the drift allowance since the last sync — so the
// bound is honest, and grows past errorBoundMsMax when the daemon loses its sources for a while.
// With `liar`, one node's daemon steps its clock further off than the bound it reports.
//
// Client loops on every node write, delete, read and scan; a writer tells a random peer about an
// acknowledged write, and the peer reads the key at once. Checked: external consistency (a read
// that starts after a write was acknowledged reads at or above its timestamp, and writes
// acknowledged before another starts have lower timestamps), that every read returned exactly the
// store's contents at its timestamp and still does at the end (no write landed below it), that
// failed writes never became visible, causality of every message and per-node monotonicity of
// hybrid timestamps.

type Message = { type: "notify"; key: string; version: HybridTimestamp; sentTs: HybridTimestamp };

export interface CommitWaitClusterOptions {
  readonly seed: number;
  /** One node's clock is stepped beyond the error bound its daemon reports. */
  readonly liar: boolean;
  readonly opsPerClient?: number;
}

/** What a run saw, for checks across seeds. */
export interface CommitWaitTally {
  writes: number;
  reads: number;
  notifiedReads: number;
  unsafe: number;
  longestWaitMs: number;
  /** External-consistency violations: reads that missed a write acknowledged before they began. */
  violations: string[];
  traceHash: string;
}

interface Daemon {
  residualMs: number;
  lastSyncMs: number;
  liarMs: number;
}

interface Served {
  readonly store: CommitWaitStore<string>;
  readonly clock: HybridClock;
  readonly send: (to: NodeId, message: Message) => void;
}

interface WriteRecord {
  readonly key: string;
  readonly version: HybridTimestamp;
  readonly startOrder: number;
  readonly ackOrder: number;
}

interface ReadRecord {
  readonly start: string;
  readonly end: string | undefined;
  readonly readTs: HybridTimestamp;
  readonly startOrder: number;
  readonly entries: readonly VersionedValue<string, HybridTimestamp>[];
}

const keys = ["a", "b", "c", "d"];
const driftMaxPpm = 20_000;
const errorBoundMsMax = 50;

export async function runCommitWaitCluster(
  options: CommitWaitClusterOptions,
): Promise<CommitWaitTally> {
  const { seed, liar, opsPerClient = 25 } = options;
  const sim = new Simulation<Message>({
    seed,
    network: { lossRate: 0.05, duplicateRate: 0.05, latency: { minMs: 1, maxMs: 8 } },
  });
  const tally: CommitWaitTally = {
    writes: 0,
    reads: 0,
    notifiedReads: 0,
    unsafe: 0,
    longestWaitMs: 0,
    violations: [],
    traceHash: "",
  };
  const shared = { store: hybridStore(), pending: new PendingWrites() };
  const ids = nodeNames.slice(0, 5);
  const liarId = liar ? sim.random.pick(ids) : undefined;
  const writes: WriteRecord[] = [];
  const reads: ReadRecord[] = [];
  const failedValues = new Set<string>();
  let order = 0;

  const read = async (store: CommitWaitStore<string>, start: string, end?: string) => {
    const startOrder = ++order;
    const { result, readTs, waitedMs } =
      end === undefined
        ? await store
            .get(start)
            .then((read) => ({ ...read, result: read.result ? [read.result] : [] }))
        : await store.range(start, end);
    tally.reads++;
    tally.longestWaitMs = Math.max(tally.longestWaitMs, waitedMs);
    reads.push({ start, end, readTs, startOrder, entries: result });
    return { readTs, entries: result };
  };

  const nodes: SimNode<Message, Served>[] = [];
  const daemons = new Map<NodeId, Daemon>();
  for (const id of ids) {
    const daemon: Daemon = {
      residualMs: sim.random.int(1, 9),
      lastSyncMs: 0,
      liarMs: id === liarId ? sim.random.int(10, 41) : 0,
    };
    daemons.set(id, daemon);
    const node = sim.addNode<Served>(id, {
      clock: {
        offsetMs: (sim.random.float() * 2 - 1) * daemon.residualMs,
        driftPpm: sim.random.int(-driftMaxPpm, driftMaxPpm + 1),
      },
      boot: ({ env, transport }) => {
        const clock = new CheckedClock({ clock: env.clock, nodeId: id });
        const bound = new ClockBound({
          clock: env.clock,
          errorBoundMs: () => errorBoundOf(daemon, env.clock.monotonicMs()),
          errorBoundMsMax,
        });
        const store = new CommitWaitStore({ ...shared, clock, bound, scheduler: env.scheduler });
        transport.onMessage((_from, message) => {
          clock.update(message.sentTs);
          // The peer reads the key at once: it began after the write was acknowledged.
          void sim.spawn(`${id} reads ${message.key}`, async () => {
            try {
              await read(store, message.key);
              tally.notifiedReads++;
            } catch (error) {
              if (!(error instanceof ClockUnsafeError)) throw error;
              tally.unsafe++;
            }
          });
        });
        return { store, clock, send: (to, message) => transport.send(to, message) };
      },
    });
    nodes.push(node);
  }

  // Time daemons: a sync every 100–400 ms steps the clock to within the residual (beyond it on
  // the liar); now and then the daemon loses its sources for 1.5 s and its bound grows.
  const horizonMs = 4000;
  for (const node of nodes) {
    const daemon = daemons.get(node.id)!;
    for (let atMs = sim.random.int(100, 400); atMs < horizonMs; atMs += sim.random.int(100, 400)) {
      if (sim.random.chance(0.05)) atMs += 1500;
      sim.at(atMs, `sync ${node.id}`, () => {
        const residual = (sim.random.float() * 2 - 1) * daemon.residualMs;
        const target =
          daemon.liarMs === 0
            ? residual
            : Math.sign(residual || 1) * (daemon.residualMs + daemon.liarMs);
        node.clock.jumpWall(target - node.clock.wallErrorMs());
        node.clock.setDriftPpm(sim.random.int(-driftMaxPpm, driftMaxPpm + 1));
        daemon.lastSyncMs = node.env.clock.monotonicMs();
      });
    }
  }
  if (liarId === undefined) {
    sim.addInvariant("every clock is within the bound its daemon reports", () => {
      for (const node of nodes) {
        const errorMs = Math.abs(node.clock.wallErrorMs());
        const boundMs = errorBoundOf(daemons.get(node.id)!, node.env.clock.monotonicMs());
        invariant(
          errorMs <= boundMs,
          `${node.id} is ${errorMs} ms off, beyond its bound ${boundMs}`,
        );
      }
    });
  }

  const clients = nodes.map((node) =>
    sim.spawn(`client ${node.id}`, async () => {
      const { store, clock, send } = await node.ready();
      for (let n = 0; n < opsPerClient; n++) {
        await sim.sleep(sim.random.int(0, 30));
        const key = sim.random.pick(keys);
        const dice = sim.random.float();
        try {
          if (dice < 0.5) {
            const value = `${node.id}#${n}`;
            const startOrder = ++order;
            const written = await (dice < 0.45 ? store.put(key, value) : store.delete(key)).catch(
              (error: unknown) => {
                failedValues.add(value);
                throw error;
              },
            );
            writes.push({ key, version: written.version, startOrder, ackOrder: ++order });
            tally.writes++;
            tally.longestWaitMs = Math.max(tally.longestWaitMs, written.waitedMs);
            if (sim.random.chance(0.5)) {
              const peer = sim.random.pick(ids.filter((other) => other !== node.id));
              send(peer, { type: "notify", key, version: written.version, sentTs: clock.now() });
            }
          } else if (dice < 0.9) {
            await read(store, key);
          } else {
            await read(store, "a", sim.random.pick(["c", "e"]));
          }
        } catch (error) {
          if (!(error instanceof ClockUnsafeError)) throw error;
          tally.unsafe++;
        }
      }
    }),
  );
  await sim.runUntilSettled(clients, { timeoutMs: 60_000 });
  await sim.runFor(100); // let notified reads finish

  const { store } = shared;
  sim.check("failed writes never became visible", () => {
    for (const key of keys) {
      for (const event of store.history(key)) {
        invariant(
          event.kind === "delete" || !failedValues.has(event.value),
          "a failed write is visible",
        );
      }
    }
  });
  for (const record of reads) {
    const now =
      record.end === undefined
        ? [store.get(record.start, record.readTs)].filter((entry) => entry !== undefined)
        : store.range(record.start, record.end, { atVersion: record.readTs });
    if (JSON.stringify(now) !== JSON.stringify(record.entries)) {
      tally.violations.push(
        `a read of ${record.start} at ${formatHybridTimestamp(record.readTs)} changed after it ` +
          "returned: a later write landed at or below its timestamp",
      );
    }
    const inRange = (key: string) =>
      record.end === undefined ? key === record.start : key >= record.start && key < record.end;
    for (const write of writes) {
      if (!inRange(write.key) || write.ackOrder >= record.startOrder) continue;
      if (compareHybridTimestamps(write.version, record.readTs) > 0) {
        tally.violations.push(
          `a read of ${record.start} at ${formatHybridTimestamp(record.readTs)} began after the ` +
            `write at ${formatHybridTimestamp(write.version)} was acknowledged, and missed it`,
        );
      }
    }
  }
  for (const first of writes) {
    for (const second of writes) {
      if (
        first.ackOrder < second.startOrder &&
        compareHybridTimestamps(first.version, second.version) >= 0
      ) {
        tally.violations.push(
          `write ${formatHybridTimestamp(second.version)} began after write ` +
            `${formatHybridTimestamp(first.version)} was acknowledged, but is not above it`,
        );
      }
    }
  }
  tally.traceHash = sim.traceHash;
  if (liarId === undefined) {
    sim.check("external consistency", () => expect(tally.violations.slice(0, 5)).toEqual([]));
  }
  return tally;
}

/** The bound a node's daemon reports: its residual plus twice the drift allowance since sync. */
function errorBoundOf(daemon: Daemon, monotonicMs: number): number {
  return daemon.residualMs + ((2 * driftMaxPpm) / 1e6) * (monotonicMs - daemon.lastSyncMs);
}
