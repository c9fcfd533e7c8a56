import { NotLeaderError, type Env, type NodeId, type Transport } from "@pods/core-interfaces";
import { QuorumSet, QuorumTracker } from "@pods/majority-quorum";
import { GenerationClock, StaleGenerationError } from "../src/index.ts";

// The smallest leader/follower exchange that shows the generation rules: a leader replicates
// client writes and resends them until a majority acknowledges; every message carries the
// generation; receivers refuse lower generations with theirs and adopt higher ones. Elections
// are started by the test. A test fixture, not a replicated log: there is no log at all.

export type Message =
  | { type: "append"; generation: number; writeId: number }
  | { type: "append-reply"; generation: number; writeId: number; success: boolean }
  | { type: "vote-request"; generation: number }
  | { type: "vote-reply"; generation: number; granted: boolean };

type Role = "follower" | "candidate" | "leader";

interface PendingWrite {
  readonly tracker: QuorumTracker<boolean>;
  readonly reject: (error: unknown) => void;
}

export class Server {
  role: Role = "follower";
  /** The definite refusal of the last append this node sent with a stale generation. */
  lastRejection: StaleGenerationError | undefined;
  readonly #pending = new Map<number, PendingWrite>();
  #election: QuorumTracker<boolean> | undefined;
  #nextWriteId = 1;

  private constructor(
    readonly id: NodeId,
    readonly clock: GenerationClock,
    readonly members: QuorumSet,
    readonly env: Env,
    readonly transport: Transport<Message>,
  ) {
    transport.onMessage((from, message) => void this.#receive(from, message));
  }

  static async start(members: readonly NodeId[], env: Env, transport: Transport<Message>) {
    const clock = await GenerationClock.open({ disk: env.disk });
    return new Server(transport.localId, clock, QuorumSet.majority(members), env, transport);
  }

  /** Starts an election; resolves once it is decided (leader or not). */
  async campaign(): Promise<void> {
    const generation = await this.clock.campaign(this.id);
    this.role = "candidate";
    const election = new QuorumTracker<boolean>(this.members, {
      kind: "election",
      isSuccess: (ok) => ok,
    });
    this.#election = election;
    election.onResponse(this.id, true);
    this.#broadcast({ type: "vote-request", generation });
    await election.wait().then(
      () => {
        if (this.clock.generation === generation && this.role === "candidate") this.role = "leader";
      },
      () => undefined,
    );
  }

  /** A client write: resolves once a majority acknowledged it in this leader's generation. */
  write(): Promise<void> {
    if (this.role !== "leader") return Promise.reject(new NotLeaderError(undefined));
    const writeId = this.#nextWriteId++;
    const generation = this.clock.generation;
    const tracker = new QuorumTracker<boolean>(this.members, { isSuccess: (ok) => ok });
    tracker.onResponse(this.id, true);
    return new Promise<void>((resolve, reject) => {
      this.#pending.set(writeId, { tracker, reject });
      const resend = () => {
        if (!this.#pending.has(writeId)) return;
        this.#broadcast({ type: "append", generation, writeId });
        this.env.scheduler.after(100, resend);
      };
      resend();
      tracker.wait().then(() => {
        this.#pending.delete(writeId);
        resolve();
      }, reject);
    });
  }

  #stepDown(): void {
    this.role = "follower";
    this.#election?.abort();
    for (const [writeId, { reject }] of this.#pending) {
      this.#pending.delete(writeId);
      // Appended and maybe stored by some followers: the outcome is unknown.
      reject(new NotLeaderError(undefined, { outcome: "indefinite" }));
    }
  }

  async #receive(from: NodeId, message: Message): Promise<void> {
    const before = this.clock.generation;
    const verdict = this.clock.judge(message.generation);
    if (verdict === "newer") {
      this.#stepDown();
      await this.clock.adopt(message.generation);
    }
    switch (message.type) {
      case "append": {
        const success = verdict !== "stale";
        if (success && this.role !== "leader") this.role = "follower";
        await this.clock.flushed();
        this.#send(from, {
          type: "append-reply",
          generation: this.clock.generation,
          writeId: message.writeId,
          success,
        });
        return;
      }
      case "append-reply":
        // A refusal carries the refuser's newer generation: a definite error for the append.
        if (!message.success)
          this.lastRejection = new StaleGenerationError(before, message.generation, "append");
        else this.#pending.get(message.writeId)?.tracker.onResponse(from, true);
        return;
      case "vote-request": {
        const granted = await this.clock.vote(message.generation, from);
        this.#send(from, { type: "vote-reply", generation: this.clock.generation, granted });
        return;
      }
      case "vote-reply":
        if (verdict === "current") this.#election?.onResponse(from, message.granted);
        return;
    }
  }

  #broadcast(message: Message): void {
    for (const to of this.members.voters) if (to !== this.id) this.#send(to, message);
  }

  #send(to: NodeId, message: Message): void {
    try {
      this.transport.send(to, message);
    } catch {
      // unreachable: the resend or the election's outcome covers it
    }
  }
}
