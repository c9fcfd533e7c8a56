import type { Clock, Logger, NodeId, Scheduler } from "@pods/core-interfaces";

/** The ports a failure detector uses; an `Env` fits. */
export interface DetectorEnv {
  /** Only `monotonicMs()` is read: wall-clock jumps never change a verdict. */
  readonly clock: Clock;
  /** Runs the check loop (`start()`). */
  readonly scheduler: Scheduler;
  /** Receives `heartbeat.peer-down`, `heartbeat.peer-up` and `heartbeat.self-pause`. Default: none. */
  readonly logger?: Logger;
}

/** A peer's status as announced by a detector's events. */
export type PeerStatus = "up" | "down";

/** An up or down event. */
export interface PeerStatusChange {
  /** The peer whose status changed. */
  readonly peer: NodeId;
  /** `"down"`: suspected (announced by a check); `"up"`: heard from again (announced at once). */
  readonly status: PeerStatus;
  /** The detector's monotonic time of the change, in ms. */
  readonly atMs: number;
  /** When the peer was last heard, on this detector's monotonic clock, in ms (an up event: `atMs`). */
  readonly lastHeardMs: number;
}

/** Receives up and down events; runs synchronously and must not throw. */
export type PeerStatusListener = (change: PeerStatusChange) => void;

/** What a detector knows about one watched peer (a snapshot). */
export interface PeerState {
  /** The peer. */
  readonly peer: NodeId;
  /** The last announced status (`"up"` from `watch()` until a check announces `"down"`). */
  readonly status: PeerStatus;
  /** The verdict now (what `isAvailable` answers). */
  readonly available: boolean;
  /** When the last heartbeat arrived, or when watching began if none has, in monotonic ms. */
  readonly lastHeardMs: number;
  /** Time since `lastHeardMs`, in ms. */
  readonly silentMs: number;
  /** Heartbeats counted from this peer since watching began. */
  readonly heartbeats: number;
}

/**
 * The receiving half of the heartbeat pattern: it learns that peers are alive from their
 * messages and says which ones it suspects. It sends nothing and knows no message format: feed it
 * every inbound message from a peer (`heartbeatReceived`), ask it (`isAvailable`, `suspects`) or
 * subscribe to its verdicts (`onStatusChange`).
 */
export interface FailureDetector {
  /** The peers being watched, in `compareNodeIds` order. */
  readonly peers: readonly NodeId[];
  /**
   * Starts watching `peer`; it counts as heard from now, so it has one full timeout to speak.
   * Watching a watched peer does nothing.
   */
  watch(peer: NodeId): void;
  /** Whether `peer` is watched. */
  isWatched(peer: NodeId): boolean;
  /** Stops watching `peer` and forgets its history; no event. Does nothing for an unknown peer. */
  forget(peer: NodeId): void;
  /** Evidence that `peer` is alive: call it for every message from it. Unwatched peers are ignored. */
  heartbeatReceived(peer: NodeId): void;
  /** Whether `peer` is trusted now. Throws for an unwatched peer. */
  isAvailable(peer: NodeId): boolean;
  /** The watched peers suspected now, in `compareNodeIds` order. */
  suspects(): NodeId[];
  /** What the detector knows about `peer`. Throws for an unwatched peer. */
  peerState(peer: NodeId): PeerState;
  /** Subscribes to up and down events; returns the function that unsubscribes. */
  onStatusChange(listener: PeerStatusListener): () => void;
  /** Announces every peer that has become suspect since the last check (down events). */
  check(): void;
  /** Runs `check()` every check interval on the scheduler, with self-pause awareness. */
  start(): void;
  /** Stops the check loop. */
  stop(): void;
}
