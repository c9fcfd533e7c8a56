import { TimeoutError, type Env, type NodeId, type Transport } from "@pods/core-interfaces";
import {
  compareHybridTimestamps,
  formatHybridTimestamp,
  type HybridTimestamp,
} from "@pods/hybrid-clock";
import { nodeNames, Simulation, type SimNode } from "@pods/simulation";
import type { VersionedValue } from "@pods/versioned-value";
import { expect } from "vitest";
import {
  ReadRestartStore,
  readWithRestarts,
  UncertaintyWindow,
  type UncertainGet,
  type UncertainRange,
  type UncertaintyRequest,
} from "../src/index.ts";
import { CheckedClock } from "./checked-clock.ts";
import { hybridStore, type HybridStore } from "./testbed.ts";

// Read-restart mode over a lossy, duplicating, reordering network. Two storage nodes (athens owns
// keys a and b, byzantium c and d) stamp writes with their hybrid clocks and make them visible at
// once; two client loops on each of three client nodes write, delete, read and scan, each read inside an UncertaintyWindow
// of maxOffsetMs (20 ms) that restarts whenever the storage node answers `restart`. Every wall
// clock starts within 9 ms of true time, drifts by up to 0.25 % and is stepped (either way) back
// within 9 ms every 100–400 ms, so any two clocks stay within maxOffsetMs of each other. With
// `liar`, one storage node's clock runs 30–60 ms ahead instead, beyond what maxOffsetMs allows.
//
// Checked: no stale reads — a read that began after a write was acknowledged reads at or above its
// timestamp (a range read may also answer below it when that write's key is absent from the
// answer and absent after the write, see `absentAfter`); every read returned exactly the store's
// contents at its final timestamp and still does at the end; causality of every message and
// per-node monotonicity (CheckedClock).

type Body =
  | { op: "put"; key: string; value: string }
  | { op: "delete"; key: string }
  | { op: "get"; key: string; request: UncertaintyRequest }
  | { op: "range"; start: string; end: string; request: UncertaintyRequest };

type Reply = { version: HybridTimestamp } | UncertainGet<string> | UncertainRange<string>;

type Message =
  | { type: "request"; id: number; body: Body; sentTs: HybridTimestamp }
  | { type: "reply"; id: number; reply: Reply; sentTs: HybridTimestamp };

export interface ReadRestartClusterOptions {
  readonly seed: number;
  /** One storage node's clock runs ahead of the others by more than maxOffsetMs. */
  readonly liar: boolean;
  readonly opsPerClient?: number;
}

/** What a run saw, for checks across seeds. */
export interface ReadRestartTally {
  writes: number;
  reads: number;
  restarts: number;
  /** Reads whose first read timestamp was below an acknowledged write they then read. */
  rescued: number;
  exhausted: number;
  timeouts: number;
  /** Stale reads, or reads whose result changed after they returned. */
  violations: string[];
  traceHash: string;
}

interface Client {
  call(to: NodeId, body: Body): Promise<Reply>;
  readonly clock: CheckedClock;
}

export const maxOffsetMs = 20;
const owners: Record<string, NodeId> = { a: "athens", b: "athens", c: "byzantium", d: "byzantium" };
const ranges = { athens: ["a", "c"], byzantium: ["c", "e"] } as const;
const driftMaxPpm = 2500;
/** How far from true time synchronisation keeps an honest clock, in ms. */
const residualMs = 9;

export async function runReadRestartCluster(
  options: ReadRestartClusterOptions,
): Promise<ReadRestartTally> {
  const { seed, liar, opsPerClient = 25 } = options;
  const sim = new Simulation<Message>({
    seed,
    network: { lossRate: 0.03, duplicateRate: 0.03, latency: { minMs: 1, maxMs: 10 } },
  });
  const tally: ReadRestartTally = {
    writes: 0,
    reads: 0,
    restarts: 0,
    rescued: 0,
    exhausted: 0,
    timeouts: 0,
    violations: [],
    traceHash: "",
  };
  const [athens, byzantium, ...clientIds] = nodeNames.slice(0, 5) as NodeId[];
  const liarId = liar ? sim.random.pick([athens!, byzantium!]) : undefined;
  const liarLeadMs = maxOffsetMs + sim.random.int(10, 41);
  const stores = new Map<NodeId, HybridStore>();
  /** Writes as storage nodes applied them, and when (`order` counts events in real time). */
  const applied: { key: string; version: HybridTimestamp; deleted: boolean; order: number }[] = [];
  const acknowledged: { key: string; version: HybridTimestamp; deleted: boolean; order: number }[] =
    [];
  const reads: {
    start: string;
    end: string | undefined;
    startTs: HybridTimestamp;
    readTs: HybridTimestamp;
    startOrder: number;
    endOrder: number;
    entries: readonly VersionedValue<string, HybridTimestamp>[];
  }[] = [];
  let order = 0;

  const storageNodes = [athens!, byzantium!].map((id) => {
    const store = hybridStore();
    stores.set(id, store);
    return sim.addNode(id, {
      clock: id === liarId ? { offsetMs: liarLeadMs } : initialClock(sim, id),
      boot: ({ env, transport }) => serveStorage(id, env, transport, store),
    });
  });
  const clients: SimNode<Message, Client>[] = clientIds.map((id) =>
    sim.addNode<Client>(id, {
      clock: initialClock(sim, id),
      boot: ({ env, transport }) => startClient(id, env, transport),
    }),
  );

  // Time synchronisation: steps every clock back within 7 ms of true time (the liar: further
  // behind than maxOffsetMs), either way, and changes its drift.
  const nodes = [...storageNodes, ...clients];
  for (const node of nodes) {
    for (let atMs = sim.random.int(100, 400); atMs < 5000; atMs += sim.random.int(100, 400)) {
      sim.at(atMs, `sync ${node.id}`, () => {
        const target = node.id === liarId ? liarLeadMs : honestOffsetMs(sim, node.id);
        node.clock.jumpWall(target - node.clock.wallErrorMs());
        node.clock.setDriftPpm(sim.random.int(-driftMaxPpm, driftMaxPpm + 1));
      });
    }
  }
  if (liarId === undefined) {
    sim.addInvariant("every two clocks are within maxOffsetMs", () => {
      const errors = nodes.map((node) => node.clock.wallErrorMs());
      expect(Math.max(...errors) - Math.min(...errors)).toBeLessThanOrEqual(maxOffsetMs);
    });
  }

  /** Reads one key (`end` undefined) or the range [start, end) from its owner, with restarts. */
  const read = async (client: Client, owner: NodeId, start: string, end?: string) => {
    const startOrder = ++order;
    const window = new UncertaintyWindow({ clock: client.clock, maxOffsetMs });
    const { result, attempts } = await readWithRestarts(window, owner, async (request) => {
      const body: Body =
        end === undefined
          ? { op: "get", key: start, request }
          : { op: "range", start, end, request };
      return (await client.call(owner, body)) as UncertainGet<string> | UncertainRange<string>;
    });
    tally.reads++;
    tally.restarts += attempts - 1;
    const entries =
      result.kind === "values" ? result.entries : result.entry === undefined ? [] : [result.entry];
    reads.push({
      start,
      end,
      startTs: window.startTs,
      readTs: result.readTs,
      startOrder,
      endOrder: ++order,
      entries,
    });
  };

  const loops = [...clients, ...clients].map((node, loop) =>
    sim.spawn(`client ${loop} on ${node.id}`, async () => {
      const client = await node.ready();
      for (let n = 0; n < opsPerClient; n++) {
        await sim.sleep(sim.random.int(0, 20));
        const key = sim.random.pick(Object.keys(owners));
        const owner = owners[key]!;
        const dice = sim.random.float();
        try {
          if (dice < 0.5) {
            const body: Body =
              dice < 0.45 ? { op: "put", key, value: `${node.id}#${n}` } : { op: "delete", key };
            const { version } = (await client.call(owner, body)) as { version: HybridTimestamp };
            acknowledged.push({ key, version, deleted: body.op === "delete", order: ++order });
            tally.writes++;
          } else if (dice < 0.9) {
            await read(client, owner, key);
          } else {
            const [start, end] = ranges[owner as keyof typeof ranges];
            await read(client, owner, start, end);
          }
        } catch (error) {
          if (!(error instanceof TimeoutError)) throw error;
          // A lost message, or a read whose restarts ran out: an indeterminate outcome.
          if (error.cause !== undefined) tally.exhausted++;
          else tally.timeouts++;
        }
      }
    }),
  );

  function startClient(id: NodeId, env: Env, transport: Transport<Message>): Client {
    const clock = new CheckedClock({ clock: env.clock, nodeId: id, maxOffsetMs: 250 });
    const waiting = new Map<number, (reply: Reply) => void>();
    let sequence = 0;
    transport.onMessage((_from, message) => {
      if (message.type !== "reply") return;
      clock.update(message.sentTs);
      waiting.get(message.id)?.(message.reply);
      waiting.delete(message.id);
    });
    return {
      clock,
      call(to, body) {
        const id = sequence++;
        const replied = new Promise<Reply>((resolve) => waiting.set(id, resolve));
        transport.send(to, { type: "request", id, body, sentTs: clock.now() });
        return sim
          .withTimeout(replied, 100, `${body.op} on ${to}`)
          .finally(() => waiting.delete(id));
      },
    };
  }

  function serveStorage(id: NodeId, env: Env, transport: Transport<Message>, store: HybridStore) {
    const clock = new CheckedClock({ clock: env.clock, nodeId: id, maxOffsetMs: 250 });
    const server = new ReadRestartStore({ store, clock, scheduler: env.scheduler });
    const answer = async ({ body }: { body: Body }): Promise<Reply> => {
      switch (body.op) {
        case "put":
        case "delete": {
          const { key } = body;
          const deleted = body.op === "delete";
          const version = deleted ? server.delete(key) : server.put(key, body.value);
          applied.push({ key, version, deleted, order: ++order });
          return { version };
        }
        case "get":
          return server.get(body.key, body.request);
        case "range":
          return server.range(body.start, body.end, body.request);
      }
    };
    transport.onMessage((from, message) => {
      if (message.type !== "request") return;
      clock.update(message.sentTs);
      void sim.spawn(`${id} serves ${message.body.op}`, async () => {
        const reply = await answer(message);
        transport.send(from, { type: "reply", id: message.id, reply, sentTs: clock.now() });
      });
    });
    return server;
  }

  await sim.runUntilSettled(loops, { timeoutMs: 60_000 });

  for (const record of reads) {
    const store = stores.get(owners[record.start]!)!;
    const now =
      record.end === undefined
        ? [store.get(record.start, record.readTs)].filter((entry) => entry !== undefined)
        : store.range(record.start, record.end, { atVersion: record.readTs });
    if (JSON.stringify(now) !== JSON.stringify(record.entries)) {
      tally.violations.push(
        `a read of ${record.start} at ${formatHybridTimestamp(record.readTs)} changed after it returned`,
      );
    }
    const inRange = (key: string) =>
      record.end === undefined ? key === record.start : key >= record.start && key < record.end;
    let rescued = false;
    for (const write of acknowledged) {
      if (!inRange(write.key) || write.order >= record.startOrder) continue;
      if (compareHybridTimestamps(write.version, record.readTs) <= 0) {
        if (compareHybridTimestamps(write.version, record.startTs) > 0) rescued = true;
      } else if (!(record.end !== undefined && absentAfter(write, record))) {
        tally.violations.push(
          `a read of ${record.start} at ${formatHybridTimestamp(record.readTs)} began after the ` +
            `write at ${formatHybridTimestamp(write.version)} was acknowledged, and missed it`,
        );
      }
    }
    if (rescued) tally.rescued++;
  }
  /**
   * A range read below an acknowledged write's timestamp is still not stale when the key is
   * absent from its answer and absent after that write too: the write is a delete, or a later
   * delete had been applied before the read answered (a range checks only keys with a value at
   * either end of its window; see ReadRestartStore.range).
   */
  function absentAfter(write: (typeof acknowledged)[number], record: (typeof reads)[number]) {
    return (
      !record.entries.some((entry) => entry.key === write.key) &&
      (write.deleted ||
        applied.some(
          (later) =>
            later.key === write.key &&
            later.deleted &&
            later.order < record.endOrder &&
            compareHybridTimestamps(later.version, write.version) > 0,
        ))
    );
  }

  tally.traceHash = sim.traceHash;
  if (liarId === undefined) {
    sim.check("no stale reads", () => expect(tally.violations.slice(0, 5)).toEqual([]));
  }
  return tally;
}

/**
 * An offset within residualMs of true time, mostly near the edge, on the side the node's clock
 * errs to (the first three nodes ahead, the others behind): pairs of clocks then often differ by
 * nearly maxOffsetMs, where the window's width matters.
 */
function honestOffsetMs(sim: Simulation<Message>, id: NodeId): number {
  const side = nodeNames.indexOf(id as (typeof nodeNames)[number]) < 3 ? 1 : -1;
  return side * residualMs * (1 - sim.random.float() ** 3);
}

function initialClock(sim: Simulation<Message>, id: NodeId) {
  return {
    offsetMs: honestOffsetMs(sim, id),
    driftPpm: sim.random.int(-driftMaxPpm, driftMaxPpm + 1),
  };
}
