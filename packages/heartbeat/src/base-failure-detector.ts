import {
  assertNodeId,
  compareNodeIds,
  InvalidArgumentError,
  noopLogger,
  type Clock,
  type Logger,
  type NodeId,
} from "@pods/core-interfaces";
import { AlreadyStartedError } from "./errors.ts";
import type {
  DetectorEnv,
  FailureDetector,
  PeerState,
  PeerStatusChange,
  PeerStatusListener,
} from "./failure-detector.ts";
import { HeartbeatScheduler } from "./heartbeat-scheduler.ts";
import { heartbeatDefaults, integerInRange, positiveMs } from "./options.ts";

/** Options every failure detector accepts. */
export interface FailureDetectorOptions {
  /** Clock (monotonic readings only), scheduler (check loop) and logger. */
  readonly env: DetectorEnv;
  /** Peers to watch from the start. Default none. */
  readonly peers?: readonly NodeId[];
  /** The interval the peers send heartbeats at, in ms. Default 100. */
  readonly heartbeatIntervalMs?: number;
  /** How often the check loop announces new suspects, in ms. Default `heartbeatIntervalMs`. */
  readonly checkIntervalMs?: number;
  /**
   * A gap of at least this long between two checks of the running loop means this process was
   * paused (GC, SIGSTOP, an overloaded event loop): verdicts are then withheld for one timeout so
   * the messages queued meanwhile can arrive first. In ms, above `checkIntervalMs`;
   * `Infinity` turns pause awareness off. Default 3 × `checkIntervalMs`.
   */
  readonly pauseThresholdMs?: number;
  /** Peers watched at most; `watch()` beyond it throws. Default 10 000. */
  readonly peersMax?: number;
}

interface PeerRecord {
  lastHeardMs: number;
  heartbeats: number;
  down: boolean;
}

/**
 * What every failure detector shares: the watched peers and when each was last heard, up and
 * down events, the check loop and self-pause awareness. A subclass decides only when a silence is
 * too long ({@link BaseFailureDetector.isSilentTooLong}), optionally learning from the intervals
 * between heartbeats ({@link BaseFailureDetector.recordInterval}).
 *
 * Time is the injected clock's monotonic reading. `isAvailable` and `suspects` give the verdict
 * at the moment they are called; down events come from `check()` (every check interval once
 * `start()`ed), up events at once from the heartbeat that ends a suspicion.
 *
 * Self-pause awareness: while the check loop runs, a gap of `pauseThresholdMs` or more since the
 * previous check means this process itself was frozen, and the silence it saw is its own. From
 * the moment the gap is noticed, every peer not already down has its silence counted afresh, so
 * nobody new is declared down for one timeout, and the messages that queued up during the pause
 * are handled first. An interval between heartbeats that spans the pause is not learned from.
 */
export abstract class BaseFailureDetector implements FailureDetector {
  /** The interval the peers send heartbeats at, in ms. */
  readonly heartbeatIntervalMs: number;
  /** How often the check loop runs, in ms. */
  readonly checkIntervalMs: number;
  /** The gap between checks taken as a pause of this process, in ms (`Infinity`: off). */
  readonly pauseThresholdMs: number;
  /** Peers watched at most. */
  readonly peersMax: number;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #records = new Map<NodeId, PeerRecord>();
  readonly #loop: HeartbeatScheduler;
  #listeners: readonly PeerStatusListener[] = [];
  #lastNowMs = Number.NEGATIVE_INFINITY;
  #lastCheckMs: number | undefined;
  #pauseNoticedMs = Number.NEGATIVE_INFINITY;
  #pausesNoticed = 0;

  /** @throws `InvalidArgumentError` for an invalid option. */
  protected constructor(options: FailureDetectorOptions) {
    this.heartbeatIntervalMs = positiveMs(
      "heartbeatIntervalMs",
      options.heartbeatIntervalMs ?? heartbeatDefaults.heartbeatIntervalMs,
    );
    this.checkIntervalMs = positiveMs(
      "checkIntervalMs",
      options.checkIntervalMs ?? this.heartbeatIntervalMs,
    );
    this.pauseThresholdMs =
      options.pauseThresholdMs ?? heartbeatDefaults.pauseThresholdChecks * this.checkIntervalMs;
    if (Number.isNaN(this.pauseThresholdMs) || this.pauseThresholdMs <= this.checkIntervalMs) {
      throw new InvalidArgumentError(
        `pauseThresholdMs (${this.pauseThresholdMs}) must be above checkIntervalMs ` +
          `(${this.checkIntervalMs}), or Infinity to turn pause awareness off.`,
      );
    }
    this.peersMax = integerInRange(
      "peersMax",
      options.peersMax ?? heartbeatDefaults.peersMax,
      1,
      Number.MAX_SAFE_INTEGER,
    );
    this.#clock = options.env.clock;
    this.#logger = options.env.logger ?? noopLogger;
    this.#loop = new HeartbeatScheduler({
      env: { scheduler: options.env.scheduler },
      intervalMs: this.checkIntervalMs,
      beat: () => {
        this.check();
      },
    });
    for (const peer of options.peers ?? []) this.watch(peer);
  }

  /** {@inheritDoc FailureDetector.peers} */
  get peers(): readonly NodeId[] {
    return [...this.#records.keys()].sort(compareNodeIds);
  }

  /** Whether the check loop runs. */
  get isRunning(): boolean {
    return this.#loop.isRunning;
  }

  /** How many pauses of this process the check loop has noticed. */
  get pausesNoticed(): number {
    return this.#pausesNoticed;
  }

  /** When the last pause was noticed (monotonic ms), or `undefined` if none was. */
  get lastPauseNoticedMs(): number | undefined {
    return this.#pausesNoticed === 0 ? undefined : this.#pauseNoticedMs;
  }

  /**
   * {@inheritDoc FailureDetector.watch}
   *
   * @throws `InvalidArgumentError` for an invalid node id, or when `peersMax` are watched.
   */
  watch(peer: NodeId): void {
    assertNodeId(peer, "peer");
    if (this.#records.has(peer)) return;
    if (this.#records.size >= this.peersMax) {
      throw new InvalidArgumentError(
        `cannot watch ${peer}: ${this.peersMax} peers (peersMax) are watched already; forget ` +
          "some or raise peersMax. All-to-all heartbeats stop scaling beyond tens of nodes: use gossip.",
      );
    }
    this.#records.set(peer, { lastHeardMs: this.#observe(), heartbeats: 0, down: false });
  }

  /** {@inheritDoc FailureDetector.isWatched} */
  isWatched(peer: NodeId): boolean {
    return this.#records.has(peer);
  }

  /** {@inheritDoc FailureDetector.forget} */
  forget(peer: NodeId): void {
    if (this.#records.delete(peer)) this.peerForgotten(peer);
  }

  /** {@inheritDoc FailureDetector.heartbeatReceived} */
  heartbeatReceived(peer: NodeId): void {
    const record = this.#records.get(peer);
    if (record === undefined) return;
    const now = this.#observe();
    if (
      record.heartbeats > 0 &&
      !record.down &&
      record.lastHeardMs >= this.#pauseNoticedMs &&
      !this.isSilentTooLong(peer, now - record.lastHeardMs)
    ) {
      this.recordInterval(peer, now - record.lastHeardMs);
    }
    const lastHeardMs = record.lastHeardMs;
    record.lastHeardMs = now;
    record.heartbeats++;
    if (record.down) {
      record.down = false;
      this.#logger.info("heartbeat.peer-up", { peer, silentMs: now - lastHeardMs });
      this.#emit({ peer, status: "up", atMs: now, lastHeardMs: now });
    }
  }

  /**
   * {@inheritDoc FailureDetector.isAvailable}
   *
   * @throws `InvalidArgumentError` when `peer` is not watched.
   */
  isAvailable(peer: NodeId): boolean {
    const record = this.#record(peer);
    return !this.#suspicious(peer, record, this.#observe());
  }

  /** {@inheritDoc FailureDetector.suspects} */
  suspects(): NodeId[] {
    const now = this.#observe();
    const suspects: NodeId[] = [];
    for (const [peer, record] of this.#records) {
      if (this.#suspicious(peer, record, now)) suspects.push(peer);
    }
    return suspects.sort(compareNodeIds);
  }

  /**
   * {@inheritDoc FailureDetector.peerState}
   *
   * @throws `InvalidArgumentError` when `peer` is not watched.
   */
  peerState(peer: NodeId): PeerState {
    const record = this.#record(peer);
    const now = this.#observe();
    return {
      peer,
      status: record.down ? "down" : "up",
      available: !this.#suspicious(peer, record, now),
      lastHeardMs: record.lastHeardMs,
      silentMs: now - record.lastHeardMs,
      heartbeats: record.heartbeats,
    };
  }

  /** {@inheritDoc FailureDetector.onStatusChange} */
  onStatusChange(listener: PeerStatusListener): () => void {
    const entry: PeerStatusListener = (change) => {
      listener(change);
    };
    this.#listeners = [...this.#listeners, entry];
    return () => {
      this.#listeners = this.#listeners.filter((registered) => registered !== entry);
    };
  }

  /** {@inheritDoc FailureDetector.check} */
  check(): void {
    const now = this.#observe();
    if (this.#loop.isRunning) this.#lastCheckMs = now;
    const changes: PeerStatusChange[] = [];
    for (const [peer, record] of this.#records) {
      if (record.down || !this.#suspicious(peer, record, now)) continue;
      record.down = true;
      this.#logger.info("heartbeat.peer-down", { peer, silentMs: now - record.lastHeardMs });
      changes.push({ peer, status: "down", atMs: now, lastHeardMs: record.lastHeardMs });
    }
    for (const change of changes) this.#emit(change);
  }

  /**
   * Starts the check loop: a check on the scheduler's next turn, then every `checkIntervalMs`.
   * Pause awareness is active while it runs.
   *
   * @throws {@link AlreadyStartedError} when it runs already.
   */
  start(): void {
    if (this.#loop.isRunning) throw new AlreadyStartedError("failure detector's check loop");
    this.#lastCheckMs = this.#now();
    this.#loop.start();
  }

  /** Stops the check loop (and pause awareness). Does nothing when stopped. */
  stop(): void {
    this.#loop.stop();
    this.#lastCheckMs = undefined;
  }

  /**
   * Whether a peer silent for `silentMs` is to be suspected. Must not decrease in `silentMs`: once
   * suspected, a peer stays suspected until it is heard from.
   *
   * @param peer - the peer judged.
   * @param silentMs - how long it has been silent, in ms (counted from a pause when one was noticed).
   */
  protected abstract isSilentTooLong(peer: NodeId, silentMs: number): boolean;

  /**
   * Learns one interval between two heartbeats of `peer`. Called only for intervals that did not
   * end a suspicion and do not span a pause of this process. Default: ignores it.
   *
   * @param peer - the peer heard from.
   * @param intervalMs - the time since its previous heartbeat, in ms.
   */
  protected recordInterval(peer: NodeId, intervalMs: number): void {
    void peer;
    void intervalMs;
  }

  /**
   * Drops what a subclass keeps about `peer` once it is forgotten. Default: nothing to drop.
   *
   * @param peer - the peer no longer watched.
   */
  protected peerForgotten(peer: NodeId): void {
    void peer;
  }

  /**
   * The silence a verdict on `peer` would use now, in ms: time since it was last heard, or since
   * the last noticed pause of this process if that is later and the peer is not down.
   *
   * @throws `InvalidArgumentError` when `peer` is not watched.
   */
  protected silenceMs(peer: NodeId): number {
    return this.#judgedSilenceMs(this.#record(peer), this.#observe());
  }

  #suspicious(peer: NodeId, record: PeerRecord, now: number): boolean {
    return this.isSilentTooLong(peer, this.#judgedSilenceMs(record, now));
  }

  #judgedSilenceMs(record: PeerRecord, now: number): number {
    const since = record.down
      ? record.lastHeardMs
      : Math.max(record.lastHeardMs, this.#pauseNoticedMs);
    return now - since;
  }

  #record(peer: NodeId): PeerRecord {
    const record = this.#records.get(peer);
    if (record === undefined) {
      throw new InvalidArgumentError(
        `peer ${JSON.stringify(peer)} is not watched; call watch(${JSON.stringify(peer)}) first.`,
      );
    }
    return record;
  }

  /** The monotonic time now (never less than a reading already seen), noticing a pause first. */
  #observe(): number {
    const now = this.#now();
    const lastCheckMs = this.#lastCheckMs;
    if (lastCheckMs !== undefined && now - lastCheckMs >= this.pauseThresholdMs) {
      this.#lastCheckMs = now;
      this.#pauseNoticedMs = now;
      this.#pausesNoticed++;
      this.#logger.warn("heartbeat.self-pause", {
        gapMs: now - lastCheckMs,
        checkIntervalMs: this.checkIntervalMs,
      });
    }
    return now;
  }

  #now(): number {
    this.#lastNowMs = Math.max(this.#lastNowMs, this.#clock.monotonicMs());
    return this.#lastNowMs;
  }

  #emit(change: PeerStatusChange): void {
    for (const listener of this.#listeners) listener(change);
  }
}
