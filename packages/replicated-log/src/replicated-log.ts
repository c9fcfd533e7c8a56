import {
  ClosedError,
  InvalidArgumentError,
  NotLeaderError,
  type Cancel,
  type Env,
  type NodeId,
  type StateMachine,
  type Transport,
} from "@pods/core-interfaces";
import type { GenerationClock } from "@pods/generation-clock";
import { EntryOverwrittenError, type HighWaterMark } from "@pods/high-water-mark";
import type { Role } from "@pods/leader-and-followers";
import { LeadershipLostError, RequestWaitingList } from "@pods/request-waiting-list";
import type { WriteAheadLog } from "@pods/write-ahead-log";
import { entryTypes, type LogEntry } from "./entry.ts";
import { UncommittedLimitError } from "./errors.ts";
import { HeldProposals } from "./held-proposals.ts";
import { decodeMembership, type Membership, type MembershipChange } from "./membership.ts";
import type { ChunkRead, NodeSnapshots } from "./node-snapshots.ts";
import { raftMessageProblem, type RaftMessage } from "./messages.ts";
import { openNodeStorage, persistLogChanges } from "./node-storage.ts";
import type { RaftCore } from "./raft-core.ts";
import { emptyWrite, isEmptyWrite, isRoutine, type PendingWrite } from "./pending-write.ts";
import type { Ready, SnapshotSend } from "./ready.ts";
import {
  replicatedLogDefaults,
  resolveRequestTimeoutMs,
  type ReplicatedLogOptions,
} from "./replicated-log-options.ts";

/** How {@link ReplicatedLog.read} confirms that it reads the latest committed state. */
export type ReadMode = "read-index" | "lease";

/**
 * A node of a replicated log: the protocol core ({@link RaftCore}) on the ports. It persists the
 * log in a `WriteAheadLog` and the generation and vote in a `GenerationClock`, syncing before it
 * acknowledges anything; applies committed commands to the state machine in order; completes
 * proposals with the state machine's result once their entry applies; and serves linearizable
 * reads (ReadIndex, or leader leases when enabled).
 *
 * Inputs (messages, timers, calls) are handled synchronously by the core. Each {@link Ready} is
 * taken at once: its messages leave, its committed entries that are durable here apply (their
 * proposals answered), and its log changes join the next write. One write (append and fsync) is in
 * flight at a time; what readies bring meanwhile is written together next (group commit), and
 * acknowledgements leave only once their write is durable. Rare readies (snapshots, truncations,
 * membership changes) wait until every write before them is done and are handled one by one.
 */
export class ReplicatedLog<R = Uint8Array> {
  /** The protocol core: role, generation, log, commit index, per-follower progress. */
  readonly core: RaftCore;
  readonly #env: Env;
  readonly #transport: Transport<RaftMessage>;
  readonly #wal: WriteAheadLog;
  readonly #generation: GenerationClock;
  readonly #snapshots: NodeSnapshots;
  /** The commit index, persisted lazily, and at once before a membership change applies. */
  readonly #commit: HighWaterMark;
  #lastSnapshotIndex: number;
  readonly #stateMachine: StateMachine<R>;
  readonly #proposals: RequestWaitingList<number, R, R>;
  readonly #reads: RequestWaitingList<number, number, number>;
  readonly #changes: RequestWaitingList<number, Membership, Membership>;
  readonly #proposedGeneration = new Map<number, number>();
  readonly #held: HeldProposals<R>;
  #appliedWaiters: { readonly index: number; readonly resolve: () => void }[] = [];
  /** Committed entries handed out by the core, applied in order once durable here. */
  #committed: LogEntry[] = [];
  /** What readies brought while a write was in flight: the next write. */
  #pending: PendingWrite = emptyWrite();
  /** The write in flight, if any. */
  #writing: Promise<void> | undefined;
  #unsubscribe: () => void = () => undefined;
  #timer: { readonly dueMs: number; readonly cancel: Cancel } | undefined;
  #running: Promise<void> | undefined;
  #leaderGeneration: number | undefined;
  #lastApplied: number;
  #readId = 0;
  #closed = false;
  #failure: unknown;

  private constructor(
    options: ReplicatedLogOptions<R>,
    core: RaftCore,
    wal: WriteAheadLog,
    generation: GenerationClock,
    snapshots: NodeSnapshots,
    commit: HighWaterMark,
  ) {
    this.#env = options.env;
    this.#transport = options.transport;
    this.#stateMachine = options.stateMachine;
    this.core = core;
    this.#wal = wal;
    this.#generation = generation;
    this.#snapshots = snapshots;
    this.#commit = commit;
    this.#lastApplied = core.appliedIndex;
    this.#lastSnapshotIndex = core.snapshot?.index ?? 0;
    const timeoutMs = resolveRequestTimeoutMs(options.requestTimeoutMs);
    const { clock, scheduler } = options.env;
    this.#proposals = new RequestWaitingList({
      clock,
      scheduler,
      keyedBy: "index",
      timeoutMs,
      name: "proposal",
    });
    this.#held = new HeldProposals({ clock, scheduler, timeoutMs });
    this.#reads = new RequestWaitingList({ clock, scheduler, timeoutMs, name: "read" });
    this.#changes = new RequestWaitingList({
      clock,
      scheduler,
      keyedBy: "index",
      timeoutMs,
      name: "membership change",
    });
  }

  /**
   * Opens the node's log and generation on `env.disk` (replaying the log), and starts taking
   * part in the cluster.
   *
   * @throws `InvalidArgumentError` for bad options; `CorruptionError` or `IOError` from the disk.
   */
  static async start<R>(options: ReplicatedLogOptions<R>): Promise<ReplicatedLog<R>> {
    const { transport } = options;
    const dir = options.dir ?? replicatedLogDefaults.dir;
    if (typeof options.stateMachine?.apply !== "function") {
      throw new InvalidArgumentError("stateMachine must implement apply, snapshot and restore.");
    }
    resolveRequestTimeoutMs(options.requestTimeoutMs);
    const { core, wal, generation, snapshots, commit } = await openNodeStorage(options, dir);
    const node = new ReplicatedLog(options, core, wal, generation, snapshots, commit);
    node.#unsubscribe = transport.onMessage((from, message) => node.#receive(from, message));
    node.#kick();
    return node;
  }

  /** This node. */
  get id(): NodeId {
    return this.core.selfId;
  }

  /** The node's role. */
  get role(): Role {
    return this.core.role;
  }

  /** Whether this node leads. */
  get isLeader(): boolean {
    return this.core.isLeader;
  }

  /** The current generation. */
  get generation(): number {
    return this.core.generation;
  }

  /** The leader as far as this node knows. */
  get leaderId(): NodeId | undefined {
    return this.core.leaderId;
  }

  /** The commit index (high-water mark). */
  get commitIndex(): number {
    return this.core.commitIndex;
  }

  /** The index of the last entry applied to the state machine. */
  get lastApplied(): number {
    return this.#lastApplied;
  }

  /** The membership in force here (as of the last applied change). */
  get membership(): Membership {
    return this.core.membership;
  }

  /** Whether the node is closed (or stopped by a disk failure). */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Replicates `command` and resolves with the state machine's result once it is committed and
   * applied here.
   *
   * @throws `NotLeaderError` or `UncommittedLimitError` (definite: nothing was appended);
   *   `LeadershipLostError`, `EntryOverwrittenError` or `TimeoutError` (indefinite: it may still
   *   take effect); `ClosedError` after `close`.
   */
  async propose(command: Uint8Array): Promise<R> {
    this.#assertOpen();
    if (!(command instanceof Uint8Array)) {
      throw new InvalidArgumentError("propose needs the command as a Uint8Array.");
    }
    if (this.#writing === undefined) {
      const [result] = this.#enter([command]);
      this.#kick();
      return result!;
    }
    // A write is in flight: the proposal waits for it to finish, with every other proposal made
    // meanwhile, and they leave together, in one append per follower.
    if (!this.core.isLeader) throw new NotLeaderError(this.leaderId);
    const max = this.core.options.uncommittedBytesMax;
    if (this.#held.bytes > 0 && this.#held.bytes + command.length > max) {
      throw new UncommittedLimitError(this.#held.bytes, max);
    }
    return this.#held.hold(command);
  }

  /** Appends `commands` to the log (leader only); one result promise per command. */
  #enter(commands: Uint8Array[]): Promise<R>[] {
    const { firstIndex, generation } = this.core.propose(commands);
    this.#leaderGeneration = generation;
    return commands.map((_, at) => {
      this.#proposedGeneration.set(firstIndex + at, generation);
      return this.#proposals.wait(firstIndex + at);
    });
  }

  /**
   * Waits until this node's state machine reflects every write committed before the call, and
   * resolves with the log index it has applied then: read the state machine right after.
   * `"read-index"` (default) confirms leadership with a heartbeat round (on a follower, asks the
   * leader); `"lease"` skips the round while the leader's lease holds (needs `leaseReads`; relies
   * on bounded clock drift) and falls back to a round otherwise.
   *
   * @throws `NotLeaderError` (definite) when no leader could confirm the read; `TimeoutError`.
   */
  async read(mode: ReadMode = "read-index"): Promise<number> {
    this.#assertOpen();
    let index = mode === "lease" ? this.core.leaseReadIndex() : undefined;
    if (index === undefined) {
      const id = ++this.#readId;
      const confirmed = this.#reads.wait(id);
      this.core.readIndex(id);
      this.#kick();
      index = await confirmed;
    }
    await this.#appliedTo(index);
    return index;
  }

  /**
   * Changes the membership (leader only), one change at a time: `add-learner` (a new node
   * receives the log), `promote` (a caught-up learner votes), `remove`; or `joint` to replace
   * several voters at once (the leader leaves the joint configuration by itself). Resolves with
   * the membership once the change is applied here; each node applies it when it applies the
   * entry. A leader that removes itself leads until then and steps down.
   *
   * @throws `NotLeaderError`, `MembershipChangeError` or `InvalidArgumentError` (definite: nothing
   *   was appended); `LeadershipLostError`, `EntryOverwrittenError`, `TimeoutError` (indefinite).
   */
  async changeMembership(change: MembershipChange): Promise<Membership> {
    this.#assertOpen();
    const { firstIndex, generation } = this.core.proposeMembership(change);
    this.#leaderGeneration = generation;
    this.#proposedGeneration.set(firstIndex, generation);
    const result = this.#changes.wait(firstIndex);
    this.#kick();
    return result;
  }

  /**
   * Hands leadership to `target`, a voter; proposals are refused until a new leader is elected.
   *
   * @throws `NotLeaderError` when this node does not lead; `InvalidArgumentError` for a bad target.
   */
  transferLeadership(target: NodeId): void {
    this.#assertOpen();
    this.core.transferLeadership(target);
    this.#kick();
  }

  /** Campaigns now (operators, tests). */
  campaign(): void {
    this.#assertOpen();
    this.core.campaign();
    this.#kick();
  }

  /**
   * Stops: no more messages or timers; waiting proposals and reads fail with `ClosedError`
   * (indefinite for proposals); the log is synced and closed. Idempotent.
   */
  async close(): Promise<void> {
    if (this.#closed && this.#running === undefined && this.#timer === undefined) return;
    this.#stop(new ClosedError(`replicated log ${this.id}`, { outcome: "indefinite" }));
    await this.#running;
    await this.#writing;
    await this.#snapshots.close();
    this.#commit.close();
    await this.#wal.close();
  }

  #assertOpen(): void {
    if (this.#failure !== undefined) {
      throw new ClosedError(`replicated log ${this.id} (stopped by a failure)`, {
        cause: this.#failure,
      });
    }
    if (this.#closed) throw new ClosedError(`replicated log ${this.id}`);
  }

  #receive(from: NodeId, message: RaftMessage): void {
    if (this.#closed) return;
    const problem = raftMessageProblem(from, message, this.core.options.messageEntriesMax);
    if (problem !== undefined) {
      this.#env.logger.warn("replicated-log.malformed-message", { from, problem });
      return;
    }
    this.core.step(from, message);
    this.#kick();
  }

  /** Starts the ready loop unless it runs, and re-arms the timer. */
  #kick(): void {
    if (this.#closed) return;
    this.#running ??= this.#run();
    this.#arm();
  }

  #arm(): void {
    const dueMs = this.core.nextDeadlineMs;
    if (this.#timer?.dueMs === dueMs) return;
    this.#timer?.cancel();
    this.#timer = undefined;
    if (!Number.isFinite(dueMs)) return;
    // Whole milliseconds, at least one: a drifting clock may fire a timer a hair early, and the
    // core (which compares against its own clock) would then ask for the same deadline again.
    const delayMs = Math.max(1, Math.ceil(dueMs - this.#env.clock.monotonicMs()));
    const cancel = this.#env.scheduler.after(delayMs, () => {
      this.#timer = undefined;
      if (this.#closed) return;
      this.core.tick();
      this.#kick();
    });
    this.#timer = { dueMs, cancel };
  }

  /**
   * Takes readies until the core has nothing more. `#running` is cleared in the same turn as the
   * last look at the core, so a kick that comes later always starts the loop again.
   */
  async #run(): Promise<void> {
    try {
      for (;;) {
        await Promise.resolve();
        if (this.#closed) return;
        if (this.#snapshotDue()) {
          await this.#settle();
          if (this.#closed) return;
          await this.#maybeSnapshot();
        }
        const ready = this.core.ready();
        if (ready === undefined) break;
        if (isRoutine(ready)) this.#pipeline(ready);
        else {
          await this.#settle();
          if (this.#closed) return;
          await this.#handle(ready);
        }
        this.#checkLeadership();
      }
      this.#checkLeadership();
      this.#arm();
    } catch (error) {
      this.#fail(error);
    } finally {
      this.#running = undefined;
    }
  }

  /**
   * A routine ready (appends, acknowledgements, commits, reads): its messages leave now, its log
   * changes join the next write, and committed entries apply as soon as they are durable here.
   */
  #pipeline(ready: Ready): void {
    for (const { to, message } of ready.messages) this.#send(to, message);
    const pending = this.#pending;
    for (const change of ready.logChanges) pending.changes.push(change);
    pending.hardStateChanged ||= ready.hardStateChanged;
    for (const outgoing of ready.messagesAfterPersist) pending.afterPersist.push(outgoing);
    for (const entry of ready.committedEntries) this.#committed.push(entry);
    this.#applyDurable();
    this.#completeReads(ready);
    this.#startWrite();
  }

  /** Applies, in order, the committed entries that are durable in this node's log. */
  #applyDurable(): void {
    const committed = this.#committed;
    const durable = this.core.durableIndex;
    let count = 0;
    while (count < committed.length && committed[count]!.index <= durable) count++;
    if (count === 0) return;
    const entries = committed.splice(0, count);
    this.#commit.advance(entries[entries.length - 1]!.index);
    for (const entry of entries) this.#apply(entry);
  }

  /** Starts writing what is pending unless a write is in flight (it starts the next when done). */
  #startWrite(): void {
    if (this.#writing !== undefined || this.#closed) return;
    const write = this.#pending;
    if (isEmptyWrite(write)) return;
    this.#pending = emptyWrite();
    this.#writing = this.#write(write).then(
      () => {
        this.#writing = undefined;
        if (this.#closed) return;
        this.#held.release((commands) => this.#enter(commands));
        this.#applyDurable();
        this.#startWrite();
        this.#kick();
      },
      (error: unknown) => {
        this.#writing = undefined;
        if (!this.#closed) this.#fail(error);
      },
    );
  }

  /** Makes `write` durable, tells the core, and sends the messages that promise it. */
  async #write(write: PendingWrite): Promise<void> {
    const last = await persistLogChanges(this.#wal, this.#snapshots, write.changes);
    if (write.hardStateChanged) await this.#generation.flushed();
    if (this.#closed) return;
    if (last !== undefined) this.core.persisted(last.index, last.generation);
    for (const { to, message } of write.afterPersist) this.#send(to, message);
  }

  /** Waits until every write started or pending is durable, and what it committed applied. */
  async #settle(): Promise<void> {
    while (this.#writing !== undefined) await this.#writing;
  }

  #completeReads(ready: Ready): void {
    for (const state of ready.readStates) {
      if (state.index === undefined)
        this.#reads.handleError(state.id, new NotLeaderError(this.leaderId));
      else this.#reads.handleResponse(state.id, state.index);
    }
  }

  #fail(error: unknown): void {
    if (this.#failure !== undefined) return;
    this.#env.logger.error("replicated-log.failed", { error: String(error) });
    this.#failure = error;
    this.#stop(error);
  }

  async #handle(ready: Ready): Promise<void> {
    for (const { to, message } of ready.messages) this.#send(to, message);
    for (const chunk of ready.snapshotChunks) await this.#snapshots.write(chunk);
    const last = await persistLogChanges(this.#wal, this.#snapshots, ready.logChanges);
    if (ready.hardStateChanged) await this.#generation.flushed();
    if (this.#closed) return;
    if (last !== undefined) this.core.persisted(last.index, last.generation);
    for (const { to, message } of ready.messagesAfterPersist) this.#send(to, message);
    // Settled before: what is left of earlier readies applies first, in order.
    const committed = this.#committed.splice(0);
    for (const entry of ready.committedEntries) committed.push(entry);
    const lastCommitted = committed.at(-1)?.index ?? ready.restore;
    if (lastCommitted !== undefined) {
      this.#commit.advance(lastCommitted);
      // A restart must not go back to an older membership than one already in force.
      const changes = ready.committedEntries.some((e) => e.type === entryTypes.configuration);
      if (changes || ready.restore !== undefined) await this.#commit.flush();
    }
    if (ready.restore !== undefined) {
      this.#stateMachine.restore(await this.#snapshots.state(ready.restore));
      this.#lastSnapshotIndex = ready.restore;
      this.#setApplied(ready.restore);
    }
    for (const entry of committed) this.#apply(entry);
    this.#completeReads(ready);
    for (const send of ready.snapshotSends) await this.#sendSnapshotChunk(send);
    await this.#maybeSnapshot();
  }

  /** Whether `snapshotEveryEntries` entries were applied since the last snapshot. */
  #snapshotDue(): boolean {
    const index = this.#lastApplied;
    if (index - this.#lastSnapshotIndex < this.core.options.snapshotEveryEntries) return false;
    // A snapshot from the leader is being installed past what was applied: it will do.
    return (this.core.snapshot?.index ?? 0) < index && index >= this.core.log.firstIndex;
  }

  /** Saves a snapshot every `snapshotEveryEntries` applied entries and compacts the log. */
  async #maybeSnapshot(): Promise<void> {
    if (!this.#snapshotDue()) return;
    const index = this.#lastApplied;
    const entry = this.core.log.entry(index);
    const position = { index, generation: entry.generation, clusterTimeMs: entry.clusterTimeMs };
    await this.#snapshots.save(position, this.core.membership, this.#stateMachine.snapshot());
    this.#lastSnapshotIndex = index;
    const firstIndex = this.core.snapshotTaken(position);
    await this.#wal.truncateBefore(Math.min(firstIndex, this.#wal.lastIndex + 1));
  }

  async #sendSnapshotChunk(send: SnapshotSend): Promise<void> {
    let read: ChunkRead;
    try {
      read = await this.#snapshots.chunk(
        send.index,
        send.offset,
        this.core.options.messageBytesMax,
      );
    } catch (error) {
      // Pruned meanwhile: the transfer restarts with the newest snapshot after a timeout.
      this.#env.logger.info("replicated-log.snapshot-send-skipped", { error: String(error) });
      return;
    }
    if (!this.core.isLeader) return;
    this.#send(send.to, {
      type: "snapshot",
      generation: this.core.generation,
      leaderId: this.id,
      lastIncludedIndex: read.position.index,
      lastIncludedGeneration: read.position.generation,
      clusterTimeMs: read.position.clusterTimeMs,
      membership: read.membership,
      fileBytes: read.fileBytes,
      offset: send.offset,
      data: read.data,
    });
  }

  #apply(entry: LogEntry): void {
    let result: R | undefined;
    if (entry.type === entryTypes.data) {
      result = this.#stateMachine.apply({
        index: entry.index,
        generation: entry.generation,
        clusterTimeMs: entry.clusterTimeMs,
        command: entry.payload,
      });
    }
    this.#setApplied(entry.index);
    const proposed = this.#proposedGeneration.get(entry.index);
    if (proposed !== undefined) {
      this.#proposedGeneration.delete(entry.index);
      const mine = proposed === entry.generation;
      if (mine && entry.type === entryTypes.data) {
        this.#proposals.handleResponse(entry.index, result as R);
      } else if (mine && entry.type === entryTypes.configuration) {
        this.#changes.handleResponse(entry.index, decodeMembership(entry.payload));
      } else {
        const overwritten = new EntryOverwrittenError(entry.index, proposed, entry.generation);
        this.#proposals.handleError(entry.index, overwritten);
        this.#changes.handleError(entry.index, overwritten);
      }
    }
  }

  #setApplied(index: number): void {
    this.#lastApplied = index;
    while (this.#appliedWaiters.length > 0 && this.#appliedWaiters[0]!.index <= index) {
      this.#appliedWaiters.shift()!.resolve();
    }
  }

  #appliedTo(index: number): Promise<void> {
    if (index <= this.#lastApplied) return Promise.resolve();
    return new Promise((resolve) => {
      const waiters = this.#appliedWaiters;
      let at = waiters.length;
      while (at > 0 && waiters[at - 1]!.index > index) at--;
      waiters.splice(at, 0, { index, resolve });
    });
  }

  /** Proposals of a leadership that ended fail indefinitely: they may still commit. */
  #checkLeadership(): void {
    const generation = this.#leaderGeneration;
    if (generation === undefined) return;
    if (this.core.isLeader && this.core.generation === generation) return;
    this.#leaderGeneration = undefined;
    this.#proposedGeneration.clear();
    this.#proposals.failAll(new LeadershipLostError(this.leaderId));
    this.#changes.failAll(new LeadershipLostError(this.leaderId));
  }

  #send(to: NodeId, message: RaftMessage): void {
    try {
      this.#transport.send(to, message);
    } catch (error) {
      // Best effort: the protocol retries (heartbeats, probes) whatever is lost.
      this.#env.logger.debug("replicated-log.send-failed", { to, error: String(error) });
    }
  }

  #stop(error: unknown): void {
    this.#closed = true;
    this.#timer?.cancel();
    this.#timer = undefined;
    this.#unsubscribe();
    this.#proposedGeneration.clear();
    // Held proposals were never appended: whatever stopped the log, they did not happen.
    this.#held.failAll(
      new ClosedError(`replicated log ${this.id}`, { outcome: "definite", cause: error }),
    );
    for (const list of [this.#proposals, this.#reads, this.#changes]) {
      list.failAll(error);
      list.close();
    }
  }
}
