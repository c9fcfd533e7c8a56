import { ClosedError, NotLeaderError, TimeoutError, UnreachableError } from "@pods/core-interfaces";
import {
  sessionCommandCodec,
  sessionResultCodec,
  SessionStateMachine,
  type SessionCommand,
  type SessionLog,
  type SessionResult,
  type SessionStateMachineOptions,
} from "../src/index.ts";
import { Counters } from "./machines.ts";

/** How the fake log treats one submitted command. */
export type Behaviour =
  /** Commit, apply and answer (now, or when released while holding). */
  | "ok"
  /** Commit and apply, then lose the reply: TimeoutError (indefinite). */
  | "lose-reply"
  /** Refuse without appending: NotLeaderError (definite). */
  | "not-leader"
  /** Refuse without sending: UnreachableError (definite). */
  | "unreachable"
  /** Refuse: ClosedError, which retrying cannot fix. */
  | "closed"
  /** Never settle. */
  | "hang"
  /** Answer this result without applying anything. */
  | { readonly answer: SessionResult };

/**
 * A SessionLog for client unit tests: one replica applies each command as it is submitted, with
 * scripted failures, and optionally holds answers to release them in a chosen order.
 */
export class FakeLog implements SessionLog {
  readonly app = new Counters();
  readonly machine: SessionStateMachine;
  /** Every command submitted, decoded, in order. */
  readonly submitted: SessionCommand[] = [];
  /** Behaviours for the next submissions, in order; "ok" when empty. */
  readonly script: Behaviour[] = [];
  /** Answers waiting for release while {@link FakeLog.holding}. */
  readonly held: (() => void)[] = [];
  holding = false;
  clusterTimeMs = 0;
  #index = 0;

  constructor(options: SessionStateMachineOptions = {}) {
    this.machine = new SessionStateMachine(this.app, options);
  }

  submit(command: Uint8Array): Promise<Uint8Array> {
    this.submitted.push(sessionCommandCodec.decode(command));
    const behaviour = this.script.shift() ?? "ok";
    if (typeof behaviour === "object") {
      return Promise.resolve(sessionResultCodec.encode(behaviour.answer));
    }
    switch (behaviour) {
      case "not-leader":
        return Promise.reject(new NotLeaderError("byzantium"));
      case "unreachable":
        return Promise.reject(new UnreachableError("athens", "connection refused"));
      case "closed":
        return Promise.reject(new ClosedError("the log client"));
      case "hang":
        return new Promise(() => undefined);
      case "lose-reply":
        this.#apply(command);
        return Promise.reject(new TimeoutError("a proposal", 50));
      case "ok":
        return new Promise((resolve) => {
          const answer = (): void => resolve(this.#apply(command));
          if (this.holding) this.held.push(answer);
          else answer();
        });
    }
  }

  /** Requests (not registers or keep-alives) submitted so far. */
  get requests(): Extract<SessionCommand, { type: "request" }>[] {
    return this.submitted.filter((command) => command.type === "request");
  }

  #apply(command: Uint8Array): Uint8Array {
    return this.machine.apply({
      index: ++this.#index,
      generation: 1,
      clusterTimeMs: this.clusterTimeMs,
      command,
    });
  }
}
