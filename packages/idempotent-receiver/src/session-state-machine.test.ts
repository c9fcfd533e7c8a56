import {
  DecodeError,
  InvalidArgumentError,
  InvariantError,
  type CommittedCommand,
} from "@pods/core-interfaces";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Counters, text, utf8 } from "../test/machines.ts";
import { sessionCommandCodec, type SessionCommand } from "./session-command.ts";
import { sessionResultCodec, sessionResultError, type SessionResult } from "./session-result.ts";
import { SessionStateMachine } from "./session-state-machine.ts";
import type { SessionStateMachineOptions } from "./options.ts";

/** Feeds commands to a machine as consecutive log entries at chosen cluster times. */
class Feeder {
  index = 0;
  readonly app = new Counters();
  readonly machine: SessionStateMachine;

  constructor(options: SessionStateMachineOptions = {}) {
    this.machine = new SessionStateMachine(this.app, options);
  }

  raw(command: Uint8Array, clusterTimeMs = 0): SessionResult {
    const entry: CommittedCommand = { index: ++this.index, generation: 1, clusterTimeMs, command };
    return sessionResultCodec.decode(this.machine.apply(entry));
  }

  apply(command: SessionCommand, clusterTimeMs = 0): SessionResult {
    return this.raw(sessionCommandCodec.encode(command), clusterTimeMs);
  }

  register(clusterTimeMs = 0): number {
    const result = this.apply({ type: "register" }, clusterTimeMs);
    if (result.type !== "registered") throw new Error(result.type);
    return result.clientId;
  }

  request(
    clientId: number,
    sequence: number,
    firstUnacknowledged = 1,
    clusterTimeMs = 0,
    counter = "c",
  ): SessionResult {
    const command = utf8(counter);
    return this.apply(
      { type: "request", clientId, sequence, firstUnacknowledged, command },
      clusterTimeMs,
    );
  }
}

const responseOf = (result: SessionResult): string =>
  result.type === "applied" || result.type === "unsessioned-applied"
    ? text(result.response)
    : result.type;

describe("SessionStateMachine", () => {
  it("gives each session the log index of its register command as client id", () => {
    const feeder = new Feeder();
    feeder.raw(Uint8Array.of(0)); // index 1: malformed
    expect(feeder.register()).toBe(2);
    expect(feeder.register()).toBe(3);
    expect(feeder.machine.clientIds).toEqual([2, 3]);
  });

  it("executes a new sequence once and answers its retries from the saved response", () => {
    const feeder = new Feeder();
    const clientId = feeder.register();
    expect(feeder.request(clientId, 1)).toMatchObject({ type: "applied", replayed: false });
    expect(feeder.request(clientId, 2)).toMatchObject({ type: "applied", replayed: false });
    const retry = feeder.request(clientId, 1);
    expect(retry).toMatchObject({ type: "applied", sequence: 1, replayed: true });
    expect(responseOf(retry)).toBe("1");
    expect(feeder.app.count("c")).toBe(2);
    expect(feeder.machine.stats).toMatchObject({ executed: 2, replayed: 1 });
  });

  it("executes an unsessioned command each time it is committed, saving nothing", () => {
    const feeder = new Feeder();
    const clientId = feeder.register();
    const command = { type: "unsessioned", command: utf8("c") } as const;
    const first = feeder.apply(command);
    expect(first.type).toBe("unsessioned-applied");
    expect(responseOf(first)).toBe("1");
    expect(responseOf(feeder.apply(command))).toBe("2");
    expect(feeder.app.count("c")).toBe(2);
    expect(feeder.machine.stats).toMatchObject({ executed: 2, replayed: 0 });
    expect(feeder.machine.session(clientId)?.savedSequences).toEqual([]);
    expect(sessionResultError(first)).toBeUndefined();
  });

  it("hands the wrapped machine the entry's index, generation and cluster time", () => {
    const seen: CommittedCommand[] = [];
    const machine = new SessionStateMachine({
      apply: (entry) => (seen.push(entry), new Uint8Array()),
      snapshot: () => new Uint8Array(),
      restore: () => undefined,
    });
    machine.apply({ index: 4, generation: 2, clusterTimeMs: 5, command: Uint8Array.of(1, 1) });
    const command = sessionCommandCodec.encode({
      type: "request",
      clientId: 4,
      sequence: 1,
      firstUnacknowledged: 1,
      command: utf8("x"),
    });
    machine.apply({ index: 9, generation: 3, clusterTimeMs: 7, command });
    expect(seen).toEqual([{ index: 9, generation: 3, clusterTimeMs: 7, command: utf8("x") }]);
  });

  it("evicts the lowest saved response beyond responsesPerClientMax and refuses its retry", () => {
    const feeder = new Feeder({ responsesPerClientMax: 3 });
    const clientId = feeder.register();
    for (let sequence = 1; sequence <= 4; sequence++) feeder.request(clientId, sequence);
    expect(feeder.machine.session(clientId)).toMatchObject({
      savedSequences: [2, 3, 4],
      highestDiscarded: 1,
    });
    expect(feeder.request(clientId, 1)).toEqual({
      type: "request-too-old",
      clientId,
      sequence: 1,
      highestDiscarded: 1,
    });
    expect(feeder.app.count("c")).toBe(4);
  });

  it("never lowers the highest discarded sequence when firstUnacknowledged goes back", () => {
    const feeder = new Feeder();
    const clientId = feeder.register();
    feeder.request(clientId, 5, 5);
    feeder.apply({ type: "keep-alive", clientId, firstUnacknowledged: 2 });
    expect(feeder.machine.session(clientId)?.highestDiscarded).toBe(4);
    expect(feeder.request(clientId, 3, 3).type).toBe("request-too-old");
  });

  it("expires a session at the first command stamped sessionTimeoutMs after its last", () => {
    const feeder = new Feeder({ sessionTimeoutMs: 900 });
    const idle = feeder.register(100);
    const other = feeder.register(100);
    feeder.apply({ type: "keep-alive", clientId: other, firstUnacknowledged: 1 }, 999);
    expect(feeder.machine.session(idle)).toBeDefined();
    feeder.apply({ type: "keep-alive", clientId: other, firstUnacknowledged: 1 }, 1_000);
    expect(feeder.machine.session(idle)).toBeUndefined();
    expect(feeder.request(idle, 1, 1, 1_000)).toEqual({ type: "session-expired", clientId: idle });
    expect(feeder.machine.stats).toMatchObject({ expired: 1, sessionMissing: 1, executed: 0 });
  });

  it("refuses a command for an unknown session without executing it", () => {
    const feeder = new Feeder();
    expect(feeder.request(42, 1)).toEqual({ type: "session-expired", clientId: 42 });
    expect(feeder.apply({ type: "keep-alive", clientId: 42, firstUnacknowledged: 1 })).toEqual({
      type: "session-expired",
      clientId: 42,
    });
    expect(feeder.app.count("c")).toBe(0);
  });

  it("evicts the least recently active session when sessionsMax is reached", () => {
    const feeder = new Feeder({ sessionsMax: 2 });
    const first = feeder.register();
    const second = feeder.register();
    feeder.apply({ type: "keep-alive", clientId: first, firstUnacknowledged: 1 });
    const third = feeder.register();
    expect(feeder.machine.clientIds).toEqual([first, third]);
    expect(feeder.request(second, 1).type).toBe("session-expired");
    expect(feeder.machine.stats.evicted).toBe(1);
  });

  it("answers a malformed command with a typed result and keeps applying", () => {
    const feeder = new Feeder();
    const clientId = feeder.register();
    const result = feeder.raw(Uint8Array.of(1, 3, 0xff));
    expect(result.type).toBe("malformed");
    expect(result.type === "malformed" && result.problem).toMatch(/session command/);
    expect(feeder.request(clientId, 1)).toMatchObject({ type: "applied" });
    expect(feeder.machine.stats.malformed).toBe(1);
  });

  it("stops on a log that breaks its contract", () => {
    const feeder = new Feeder();
    feeder.register(50);
    const command = sessionCommandCodec.encode({ type: "register" });
    const apply = (index: number, clusterTimeMs: number): unknown =>
      feeder.machine.apply({ index, generation: 1, clusterTimeMs, command });
    expect(() => apply(1, 60)).toThrow(InvariantError);
    expect(() => apply(2, 40)).toThrow(/cluster time went back/);
  });

  it("restores sessions and the wrapped state from a snapshot", () => {
    const feeder = new Feeder();
    const clientId = feeder.register(10);
    feeder.request(clientId, 1, 1, 20);
    const copy = new Feeder();
    copy.machine.restore(feeder.machine.snapshot());
    expect(copy.machine.session(clientId)).toEqual(feeder.machine.session(clientId));
    expect(copy.machine.lastAppliedIndex).toBe(2);
    expect(copy.machine.clusterTimeMs).toBe(20);
    expect(copy.app.count("c")).toBe(1);
    copy.index = 2;
    expect(copy.request(clientId, 1, 1, 30)).toMatchObject({ type: "applied", replayed: true });
  });

  it("refuses a malformed snapshot and keeps its state", () => {
    const feeder = new Feeder();
    const clientId = feeder.register();
    const good = feeder.machine.snapshot();
    for (const bad of [good.subarray(0, good.length - 1), Uint8Array.of(2), Uint8Array.of(1, 0)]) {
      expect(() => feeder.machine.restore(bad)).toThrow(DecodeError);
    }
    expect(feeder.machine.session(clientId)).toBeDefined();
    const accepting = new SessionStateMachine({
      apply: () => new Uint8Array(),
      snapshot: () => new Uint8Array(),
      restore: () => undefined,
    });
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 48 }), (bytes) => {
        try {
          accepting.restore(bytes);
        } catch (error) {
          expect(error).toBeInstanceOf(DecodeError);
        }
      }),
    );
  });

  it("validates its options", () => {
    const app = new Counters();
    expect(() => new SessionStateMachine(app, { sessionTimeoutMs: 0 })).toThrow(
      InvalidArgumentError,
    );
    expect(() => new SessionStateMachine(app, { responsesPerClientMax: 0 })).toThrow(
      /responsesPerClientMax must be an integer >= 1/,
    );
    expect(() => new SessionStateMachine(app, { sessionsMax: 1.5 })).toThrow(/sessionsMax/);
  });
});
