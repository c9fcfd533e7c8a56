import {
  DecodeError,
  invariant,
  type CommittedCommand,
  type StateMachine,
} from "@pods/core-interfaces";
import {
  resolveSessionOptions,
  type ResolvedSessionOptions,
  type SessionStateMachineOptions,
} from "./options.ts";
import {
  sessionCommandCodec,
  type RequestCommand,
  type SessionCommand,
} from "./session-command.ts";
import { SavedResponses } from "./saved-responses.ts";
import { sessionResultCodec, type SessionResult } from "./session-result.ts";
import { decodeSessionSnapshot, encodeSessionSnapshot, type Session } from "./session-snapshot.ts";

/** A read-only view of one session, for tests and operators. */
export interface SessionInfo {
  /** The client id: the log index of the session's register command. */
  readonly clientId: number;
  /** Cluster time of the session's last command, in ms. */
  readonly lastActiveMs: number;
  /** Requests at or below this sequence are refused with `RequestTooOldError`. */
  readonly highestDiscarded: number;
  /** Sequences whose responses are saved, ascending. */
  readonly savedSequences: readonly number[];
}

/** Counters of what this replica's `apply` did since it was created (not replicated state). */
export interface SessionStats {
  /** Sessions registered. */
  readonly registered: number;
  /** Requests executed by the wrapped state machine. */
  readonly executed: number;
  /** Retries answered from a saved response. */
  readonly replayed: number;
  /** Requests refused as too old. */
  readonly tooOld: number;
  /** Commands refused because their session did not exist. */
  readonly sessionMissing: number;
  /** Sessions expired for idleness. */
  readonly expired: number;
  /** Sessions evicted to stay within `sessionsMax`. */
  readonly evicted: number;
  /** Commands that did not decode. */
  readonly malformed: number;
}

/**
 * The replica side of the idempotent receiver: a `StateMachine` that wraps the application's
 * state machine and applies each client request at most once.
 *
 * It applies commands encoded by {@link sessionCommandCodec} and returns results encoded by
 * {@link sessionResultCodec}:
 *
 * - `register` opens a session whose client id is the command's log index;
 * - `keep-alive` refreshes a session and drops responses below its `firstUnacknowledged`;
 * - `request` drops responses below `firstUnacknowledged`, then answers a saved response without
 *   executing, refuses a sequence at or below the highest discarded one, or hands the inner
 *   command to the wrapped machine (with the entry's index, generation and cluster time) and saves
 *   its response;
 * - `unsessioned` hands its command to the wrapped machine every time it is committed, with no
 *   deduplication, and answers its response (nothing is saved).
 *
 * Before each command, sessions idle for `sessionTimeoutMs` of the command's cluster time expire,
 * so every replica expires a session at the same log index; nothing reads a clock. A malformed
 * command yields a `malformed` result and changes nothing else.
 *
 * The wrapped machine must return bytes (`StateMachine<Uint8Array>`): its responses are saved in
 * replicated state and snapshots. Encode typed results with a codec of your choice. Its snapshot
 * is embedded in this machine's snapshot.
 */
export class SessionStateMachine implements StateMachine<Uint8Array> {
  readonly #inner: StateMachine<Uint8Array>;
  readonly #options: ResolvedSessionOptions;
  /** Sessions in order of last activity, least recent first (a touched session moves last). */
  #sessions = new Map<number, Session>();
  #lastAppliedIndex = 0;
  #clusterTimeMs = 0;
  readonly #stats = {
    registered: 0,
    executed: 0,
    replayed: 0,
    tooOld: 0,
    sessionMissing: 0,
    expired: 0,
    evicted: 0,
    malformed: 0,
  };

  /**
   * @param inner - the application's state machine.
   * @param options - limits and the session timeout; the same on every replica.
   * @throws `InvalidArgumentError` on a bad option.
   */
  constructor(inner: StateMachine<Uint8Array>, options: SessionStateMachineOptions = {}) {
    this.#inner = inner;
    this.#options = resolveSessionOptions(options);
  }

  /**
   * Applies one committed session command and returns its encoded {@link SessionResult}.
   * Throws only when the log breaks its contract (indexes not increasing, cluster time going
   * back) or the wrapped machine throws.
   */
  apply(entry: CommittedCommand): Uint8Array {
    invariant(
      entry.index > this.#lastAppliedIndex,
      () => `applied index ${entry.index} after ${this.#lastAppliedIndex}: indexes must increase`,
    );
    invariant(
      entry.clusterTimeMs >= this.#clusterTimeMs,
      () => `cluster time went back from ${this.#clusterTimeMs} to ${entry.clusterTimeMs} ms`,
    );
    this.#lastAppliedIndex = entry.index;
    this.#clusterTimeMs = entry.clusterTimeMs;
    this.#expireIdle(entry.clusterTimeMs);
    return sessionResultCodec.encode(this.#applyDecoded(entry));
  }

  /** The sessions and the wrapped machine's state, as bytes (see {@link SessionStateMachine.restore}). */
  snapshot(): Uint8Array {
    return encodeSessionSnapshot({
      lastAppliedIndex: this.#lastAppliedIndex,
      clusterTimeMs: this.#clusterTimeMs,
      sessions: [...this.#sessions.values()],
      inner: this.#inner.snapshot(),
    });
  }

  /**
   * Replaces sessions and the wrapped machine's state with those of `snapshot` (from
   * {@link SessionStateMachine.snapshot} of any replica).
   *
   * @throws `DecodeError` when `snapshot` is malformed; nothing changes then.
   */
  restore(snapshot: Uint8Array): void {
    const decoded = decodeSessionSnapshot(snapshot);
    this.#inner.restore(decoded.inner);
    this.#sessions = new Map(decoded.sessions.map((session) => [session.clientId, session]));
    this.#lastAppliedIndex = decoded.lastAppliedIndex;
    this.#clusterTimeMs = decoded.clusterTimeMs;
  }

  /** Index of the last applied command (or of the restored snapshot); 0 before any. */
  get lastAppliedIndex(): number {
    return this.#lastAppliedIndex;
  }

  /** Cluster time of the last applied command, in ms; 0 before any. */
  get clusterTimeMs(): number {
    return this.#clusterTimeMs;
  }

  /** How many sessions exist. */
  get sessionCount(): number {
    return this.#sessions.size;
  }

  /** Client ids of every session, least recently active first. */
  get clientIds(): readonly number[] {
    return [...this.#sessions.keys()];
  }

  /** What this replica's `apply` did since it was created. */
  get stats(): SessionStats {
    return { ...this.#stats };
  }

  /** A read-only view of the session `clientId`, or `undefined` if it does not exist. */
  session(clientId: number): SessionInfo | undefined {
    const session = this.#sessions.get(clientId);
    if (session === undefined) return undefined;
    return {
      clientId,
      lastActiveMs: session.lastActiveMs,
      highestDiscarded: session.highestDiscarded,
      savedSequences: session.responses.sequences(),
    };
  }

  #applyDecoded(entry: CommittedCommand): SessionResult {
    let command: SessionCommand;
    try {
      command = sessionCommandCodec.decode(entry.command);
    } catch (error) {
      if (!(error instanceof DecodeError)) throw error;
      this.#stats.malformed++;
      return { type: "malformed", problem: error.message };
    }
    switch (command.type) {
      case "register":
        return this.#register(entry);
      case "keep-alive": {
        const session = this.#touch(command.clientId, command.firstUnacknowledged, entry);
        if (session === undefined) return { type: "session-expired", clientId: command.clientId };
        return { type: "kept-alive", clientId: command.clientId };
      }
      case "request":
        return this.#request(command, entry);
      case "unsessioned":
        this.#stats.executed++;
        return { type: "unsessioned-applied", response: this.#execute(command.command, entry) };
    }
  }

  #register(entry: CommittedCommand): SessionResult {
    invariant(!this.#sessions.has(entry.index), `session ${entry.index} exists already`);
    for (const [clientId] of this.#sessions) {
      if (this.#sessions.size < this.#options.sessionsMax) break;
      this.#sessions.delete(clientId);
      this.#stats.evicted++;
    }
    this.#sessions.set(entry.index, {
      clientId: entry.index,
      lastActiveMs: entry.clusterTimeMs,
      highestDiscarded: 0,
      responses: new SavedResponses(),
    });
    this.#stats.registered++;
    return { type: "registered", clientId: entry.index };
  }

  #request(command: RequestCommand, entry: CommittedCommand): SessionResult {
    const { clientId, sequence } = command;
    const session = this.#touch(clientId, command.firstUnacknowledged, entry);
    if (session === undefined) return { type: "session-expired", clientId };
    const saved = session.responses.get(sequence);
    if (saved !== undefined) {
      this.#stats.replayed++;
      return { type: "applied", clientId, sequence, response: saved, replayed: true };
    }
    if (sequence <= session.highestDiscarded) {
      this.#stats.tooOld++;
      return {
        type: "request-too-old",
        clientId,
        sequence,
        highestDiscarded: session.highestDiscarded,
      };
    }
    // A copy: the response is saved, and the wrapped machine may reuse its bytes.
    const response = this.#execute(command.command, entry).slice();
    this.#stats.executed++;
    session.responses.add(sequence, response);
    if (session.responses.size > this.#options.responsesPerClientMax) {
      const lowest = session.responses.dropLowest() as number;
      session.highestDiscarded = Math.max(session.highestDiscarded, lowest);
    }
    return { type: "applied", clientId, sequence, response, replayed: false };
  }

  /** Hands `command` to the wrapped machine with the entry's index, generation and cluster time. */
  #execute(command: Uint8Array, entry: CommittedCommand): Uint8Array {
    return this.#inner.apply({
      index: entry.index,
      generation: entry.generation,
      clusterTimeMs: entry.clusterTimeMs,
      command,
    });
  }

  /**
   * Marks the session active at the entry's cluster time (moving it last in activity order) and
   * drops responses below `firstUnacknowledged`. `undefined` when the session does not exist.
   */
  #touch(
    clientId: number,
    firstUnacknowledged: number,
    entry: CommittedCommand,
  ): Session | undefined {
    const session = this.#sessions.get(clientId);
    if (session === undefined) {
      this.#stats.sessionMissing++;
      return undefined;
    }
    session.lastActiveMs = entry.clusterTimeMs;
    this.#sessions.delete(clientId);
    this.#sessions.set(clientId, session);
    if (firstUnacknowledged - 1 > session.highestDiscarded) {
      session.highestDiscarded = firstUnacknowledged - 1;
      session.responses.dropBelow(firstUnacknowledged);
    }
    return session;
  }

  /** Removes sessions idle for `sessionTimeoutMs` at `nowMs`; they are ordered by activity. */
  #expireIdle(nowMs: number): void {
    for (const [clientId, session] of this.#sessions) {
      if (nowMs - session.lastActiveMs < this.#options.sessionTimeoutMs) return;
      this.#sessions.delete(clientId);
      this.#stats.expired++;
    }
  }
}
