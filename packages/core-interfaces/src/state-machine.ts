/**
 * One committed command as a replicated log hands it to a state machine: every replica sees the
 * same commands, with the same indexes and cluster times, in the same order.
 */
export interface CommittedCommand {
  /** The command's log index: 1-based, increasing by one per entry (no-ops and configuration entries are skipped, so indexes seen by a state machine may have gaps). */
  readonly index: number;
  /** The generation (term) of the leader that appended it. */
  readonly generation: number;
  /**
   * Cluster time in ms, stamped by the leader: never decreases along the log and is the same on
   * every replica. Use it, never a local clock, for decisions that must agree (session expiry).
   */
  readonly clusterTimeMs: number;
  /** The command's bytes, as proposed. */
  readonly command: Uint8Array;
}

/**
 * The port between a replicated log and the application it replicates. `apply` must be
 * deterministic — its result and the state it leaves may depend only on the state before and the
 * command — so replicas that apply the same commands end identical. It runs synchronously, one
 * command at a time, in index order, exactly once per command per incarnation of the state
 * (after `restore`, application continues from the snapshot's index).
 *
 * @typeParam R - what applying a command returns to the proposer (sent back to the client).
 */
export interface StateMachine<R = Uint8Array> {
  /** Applies one committed command and returns its result. Throwing is a bug: it stops the replica. */
  apply(command: CommittedCommand): R;
  /** The whole state as bytes, as of the last applied command (for snapshots). */
  snapshot(): Uint8Array;
  /** Replaces the whole state with `snapshot`'s (from {@link StateMachine.snapshot} of any replica). */
  restore(snapshot: Uint8Array): void;
}
