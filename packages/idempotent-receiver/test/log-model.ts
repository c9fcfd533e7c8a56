import {
  NotLeaderError,
  TimeoutError,
  type CommittedCommand,
  type StateMachine,
} from "@pods/core-interfaces";
import {
  SessionStateMachine,
  type SessionLog,
  type SessionStateMachineOptions,
} from "../src/index.ts";

// A deterministic model of replication for the scenario tests: one committed command sequence
// that every live replica applies in order. A leader appends (stamping the cluster time), a crash
// removes a replica, a new follower restores another replica's snapshot and applies the tail. The
// real @pods/replicated-log plugs in behind the same StateMachine and SessionLog ports.

/** One replica: the session wrapper and the application inside it. */
export interface Replica<A extends StateMachine> {
  readonly name: string;
  readonly sessions: SessionStateMachine;
  readonly app: A;
  /** Results of the entries this replica applied, by index. */
  readonly results: Map<number, Uint8Array>;
}

export class ModelLog<A extends StateMachine> {
  readonly entries: CommittedCommand[] = [];
  readonly replicas = new Map<string, Replica<A>>();
  leader: string;
  generation = 1;
  clusterTimeMs = 0;
  /** Indexes whose reply to the client is lost after commit and apply. */
  readonly lostReplies = new Set<number>();
  #dropNextReply: (() => void) | undefined;

  constructor(
    names: readonly string[],
    readonly newApp: () => A,
    readonly options: SessionStateMachineOptions = {},
  ) {
    for (const name of names) this.#addReplica(name);
    this.leader = names[0] ?? "athens";
  }

  /** Appends `command` as the leader, commits it, lets every live replica apply it; its index. */
  append(command: Uint8Array): number {
    const index = (this.entries.at(-1)?.index ?? 0) + 1;
    this.entries.push({
      index,
      generation: this.generation,
      clusterTimeMs: this.clusterTimeMs,
      command,
    });
    for (const replica of this.replicas.values()) this.catchUp(replica);
    return index;
  }

  /** Lets cluster time pass (the leader's monotonic clock). */
  advance(ms: number): void {
    this.clusterTimeMs += ms;
  }

  /** The replica `name`. */
  replica(name: string): Replica<A> {
    const replica = this.replicas.get(name);
    if (replica === undefined) throw new Error(`no live replica ${name}`);
    return replica;
  }

  /** Applies the entries `replica` has not applied yet. */
  catchUp(replica: Replica<A>): void {
    for (const entry of this.entries) {
      if (entry.index <= replica.sessions.lastAppliedIndex) continue;
      replica.results.set(entry.index, replica.sessions.apply(entry));
    }
  }

  /** The replica loses its memory and leaves; if it led, `next` leads a new generation. */
  crash(name: string, next?: string): void {
    this.replicas.delete(name);
    if (this.leader === name && next !== undefined) this.elect(next);
  }

  /** `name` becomes leader in a new generation; cluster time continues where it was. */
  elect(name: string): void {
    this.replica(name);
    this.leader = name;
    this.generation++;
  }

  /** A new follower catches up by installing `snapshot`, then applies the tail of the log. */
  joinBySnapshot(name: string, snapshot: Uint8Array): Replica<A> {
    const replica = this.#addReplica(name, false);
    replica.sessions.restore(snapshot);
    this.catchUp(replica);
    return replica;
  }

  /**
   * The reply to the next command submitted through {@link ModelLog.port} is lost, after the
   * command committed and applied; `then` runs at that moment (e.g. the leader crashes).
   */
  dropNextReply(then: () => void = () => undefined): void {
    this.#dropNextReply = then;
  }

  /** A SessionLog port: commands go to the current leader; lost replies become TimeoutErrors. */
  port(): SessionLog {
    return {
      submit: (command) => {
        if (!this.replicas.has(this.leader)) return Promise.reject(new NotLeaderError(undefined));
        const index = this.append(command);
        const dropReply = this.#dropNextReply;
        if (dropReply !== undefined) {
          this.#dropNextReply = undefined;
          this.lostReplies.add(index);
          dropReply();
          return Promise.reject(new TimeoutError(`entry ${index}`, 100));
        }
        const result = this.replica(this.leader).results.get(index);
        if (result === undefined) throw new Error(`the leader did not apply ${index}`);
        return Promise.resolve(result);
      },
    };
  }

  /** Every live replica's snapshot, by name. */
  snapshots(): Map<string, Uint8Array> {
    return new Map([...this.replicas].map(([name, r]) => [name, r.sessions.snapshot()]));
  }

  #addReplica(name: string, applyLog = true): Replica<A> {
    const app = this.newApp();
    const replica: Replica<A> = {
      name,
      app,
      sessions: new SessionStateMachine(app, this.options),
      results: new Map(),
    };
    this.replicas.set(name, replica);
    if (applyLog) this.catchUp(replica);
    return replica;
  }
}
