import { GenerationClock } from "@pods/generation-clock";
import { HighWaterMark } from "@pods/high-water-mark";
import { WriteAheadLog } from "@pods/write-ahead-log";
import { logEntryOf, walPayloadOf, type LogEntry } from "./entry.ts";
import type { LogChange } from "./follower-append.ts";
import { decodeMembership, membership } from "./membership.ts";
import { NodeSnapshots } from "./node-snapshots.ts";
import { RaftCore } from "./raft-core.ts";
import { RaftLog } from "./raft-log.ts";
import type { ReplicatedLogOptions } from "./replicated-log-options.ts";

/** What a node keeps on its disk, opened, and the protocol core rebuilt from it. */
export interface NodeStorage {
  /** The log. */
  readonly wal: WriteAheadLog;
  /** The generation and vote. */
  readonly generation: GenerationClock;
  /** The snapshots. */
  readonly snapshots: NodeSnapshots;
  /** The commit index, a lower bound kept across restarts. */
  readonly commit: HighWaterMark;
  /** The core, with the log in memory, the membership in force, and the commit index known. */
  readonly core: RaftCore;
}

/**
 * Recovers a node from `dir` on its disk: the newest snapshot restores the state machine and the
 * membership; the write-ahead log is replayed into memory (and reset after a snapshot the log
 * does not reach: one installed from a leader just before a crash); the persisted commit index
 * lets the core apply again, at once, every entry known committed.
 */
export async function openNodeStorage<R>(
  options: ReplicatedLogOptions<R>,
  dir: string,
): Promise<NodeStorage> {
  const { env, transport } = options;
  let members = membership({ voters: options.voters, learners: options.learners ?? [] });
  const entries: LogEntry[] = [];
  const wal = await WriteAheadLog.open(env, {
    dir: `${dir}/wal`,
    sync: "none",
    replay: (entry) => entries.push(logEntryOf(entry)),
  });
  await wal.sync();
  const snapshots = await NodeSnapshots.open(env.disk, `${dir}/snapshots`, env.logger);
  const stored = snapshots.latest();
  const snapshot = stored?.position;
  if (snapshot !== undefined) {
    options.stateMachine.restore(await snapshots.state());
    members = decodeMembership(stored!.membership);
    const held = snapshot.index >= wal.firstIndex - 1 && snapshot.index <= wal.lastIndex;
    if (!held || wal.generationAt(snapshot.index) !== snapshot.generation) {
      // Installed from a leader and the log reset did not survive: the log restarts after it.
      await wal.reset(snapshot.index + 1, snapshot.generation);
      entries.length = 0;
    }
  }
  const first = wal.firstIndex;
  const log = new RaftLog(
    first - 1,
    first > 1 ? wal.generationAt(first - 1) : 0,
    snapshot?.index === first - 1 ? snapshot.clusterTimeMs : 0,
  );
  log.append(entries.filter((entry) => entry.index >= first));
  const commit = await HighWaterMark.open({
    disk: env.disk,
    scheduler: env.scheduler,
    path: `${dir}/commit`,
    log: wal,
    logger: env.logger,
  });
  const generation = await GenerationClock.open({
    disk: env.disk,
    path: `${dir}/generation`,
    log: wal,
    logger: env.logger,
  });
  const core = new RaftCore({
    ...options,
    selfId: transport.localId,
    membership: members,
    store: generation,
    clock: env.clock,
    random: env.random,
    log,
    ...(snapshot === undefined ? {} : { snapshot }),
    commitIndex: commit.mark,
    logger: env.logger,
  });
  return { wal, generation, snapshots, commit, core };
}

/**
 * Makes log `changes` durable in order, with one sync at the end: truncations, appends, and a
 * reset after a snapshot received from the leader (installed first, so that a crash in between
 * leaves the old log or the snapshot, never neither). Resolves with the last entry when the
 * changes end with an append (what the core is told is persisted).
 */
export async function persistLogChanges(
  wal: WriteAheadLog,
  snapshots: NodeSnapshots,
  changes: readonly LogChange[],
): Promise<LogEntry | undefined> {
  const writes: Promise<unknown>[] = [];
  let last: LogEntry | undefined;
  for (const change of changes) {
    if (change.kind === "truncate") {
      writes.push(wal.truncateFrom(change.from));
      last = undefined;
      continue;
    }
    if (change.kind === "reset") {
      // The snapshot is installed before the log forgets what it replaces.
      await Promise.all(writes.splice(0));
      await snapshots.install();
      writes.push(wal.reset(change.index + 1, change.generation));
      last = undefined;
      continue;
    }
    const inputs = change.entries.map((entry) => ({
      index: entry.index,
      generation: entry.generation,
      type: entry.type,
      payload: walPayloadOf(entry),
    }));
    writes.push(wal.appendBatch(inputs));
    last = change.entries.at(-1);
  }
  if (writes.length > 0) {
    await Promise.all(writes);
    await wal.sync();
  }
  return last;
}
