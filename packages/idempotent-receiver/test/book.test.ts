import { Simulation } from "@pods/simulation";
import { describe, expect, it } from "vitest";
import {
  RequestTooOldError,
  SessionClient,
  SessionExpiredError,
  sessionCommandCodec,
  sessionResultCodec,
  sessionResultError,
  type SessionCommand,
  type SessionResult,
} from "../src/index.ts";
import { ModelLog } from "./log-model.ts";
import { Counters, Leases, text, utf8 } from "./machines.ts";

// The acceptance scenarios of PATTERNS.md §13. Replication is modelled by ModelLog: one committed
// command sequence that every live replica applies; the client's timers run on a simulation's
// virtual scheduler, so retries and backoff are deterministic.

const encode = (command: SessionCommand): Uint8Array => sessionCommandCodec.encode(command);
const decode = (bytes: Uint8Array | undefined): SessionResult => {
  if (bytes === undefined) throw new Error("no result: the replica did not apply the entry");
  return sessionResultCodec.decode(bytes);
};

/** Registers a session by appending a register command; its client id. */
function register(log: ModelLog<Counters>): number {
  const index = log.append(encode({ type: "register" }));
  const result = decode(log.replica(log.leader).results.get(index));
  if (result.type !== "registered") throw new Error(`not registered: ${result.type}`);
  return result.clientId;
}

/** Appends a request and returns the leader's result for it. */
function send(
  log: ModelLog<Counters>,
  clientId: number,
  sequence: number,
  firstUnacknowledged: number,
  counter = "c",
): SessionResult {
  const command = utf8(counter);
  const index = log.append(
    encode({ type: "request", clientId, sequence, firstUnacknowledged, command }),
  );
  return decode(log.replica(log.leader).results.get(index));
}

function responseText(result: SessionResult): string {
  if (result.type !== "applied") throw new Error(`not applied: ${result.type}`);
  return text(result.response);
}

describe("idempotent receiver: the book's scenarios", () => {
  it("retry-gets-saved-response", async () => {
    const sim = new Simulation({ seed: 1 });
    const log = new ModelLog(["athens", "byzantium", "cyrene"], () => new Leases());
    const client = new SessionClient({ log: log.port(), scheduler: sim.scheduler });
    for (let n = 1; n <= 6; n++) {
      await sim.runUntilSettled([client.request(utf8(`create warm-up-${n}`))]);
    }
    expect(client.nextSequence).toBe(7);

    log.dropNextReply(); // request 7 commits and applies; its response is lost
    const [response] = await sim.runUntilSettled([client.request(utf8("create L"))]);

    expect(text(response)).toBe("created L");
    expect(log.lostReplies.size).toBe(1);
    const sevens = log.entries
      .map((entry) => sessionCommandCodec.decode(entry.command))
      .filter((command) => command.type === "request" && command.sequence === 7);
    expect(sevens).toHaveLength(2); // the first attempt and the retry, with the same sequence
    for (const replica of log.replicas.values()) {
      expect(replica.app.leases.has("L")).toBe(true);
      expect(replica.app.creations).toBe(7); // six warm-ups and L, once
      expect(replica.sessions.stats.replayed).toBe(1);
    }
    await client.close();
  });

  it("retry-after-failover", async () => {
    const sim = new Simulation({ seed: 2 });
    const log = new ModelLog(["athens", "byzantium", "cyrene"], () => new Counters());
    const client = new SessionClient({ log: log.port(), scheduler: sim.scheduler });
    for (let n = 1; n <= 11; n++) await sim.runUntilSettled([client.request(utf8("c"))]);

    // athens commits and applies increment 12, then crashes before replying; byzantium leads.
    log.dropNextReply(() => log.crash("athens", "byzantium"));
    const [response] = await sim.runUntilSettled([client.request(utf8("c"))]);

    expect(text(response)).toBe("12");
    expect(log.leader).toBe("byzantium");
    for (const replica of log.replicas.values()) {
      expect(replica.app.count("c")).toBe(12); // the retry did not increment again
      expect(replica.sessions.stats.executed).toBe(12);
      expect(replica.sessions.stats.replayed).toBe(1);
    }
    await client.close();
  });

  it("acknowledged-responses-forgotten", () => {
    const log = new ModelLog(["athens", "byzantium"], () => new Counters(), {
      responsesPerClientMax: 32,
    });
    const clientId = register(log);
    for (let sequence = 1; sequence <= 19; sequence++) send(log, clientId, sequence, 1);
    expect(log.replica("athens").sessions.session(clientId)?.savedSequences).toHaveLength(19);

    expect(responseText(send(log, clientId, 20, 20))).toBe("20");
    for (const replica of log.replicas.values()) {
      const session = replica.sessions.session(clientId);
      expect(session?.savedSequences).toEqual([20]);
      expect(session?.highestDiscarded).toBe(19);
    }

    const stray = send(log, clientId, 15, 15);
    expect(stray).toEqual({
      type: "request-too-old",
      clientId,
      sequence: 15,
      highestDiscarded: 19,
    });
    expect(sessionResultError(stray)).toBeInstanceOf(RequestTooOldError);
    for (const replica of log.replicas.values()) {
      expect(replica.app.count("c")).toBe(20); // the stray executed nothing
      expect(replica.sessions.session(clientId)?.highestDiscarded).toBe(19);
    }
  });

  it("idle-session-expires", async () => {
    const sessionTimeoutMs = 1_000;
    const sim = new Simulation({ seed: 4 });
    const log = new ModelLog(["athens", "byzantium", "cyrene"], () => new Counters(), {
      sessionTimeoutMs,
    });
    const idle = new SessionClient({
      log: log.port(),
      scheduler: sim.scheduler,
      keepAliveIntervalMs: 100 * sessionTimeoutMs, // it never sends one in this test
    });
    await sim.runUntilSettled([idle.request(utf8("idle"))]);
    const oldId = idle.clientId ?? 0;
    const busy = register(log);

    // Only the busy client talks, keeping itself alive, for twice the session timeout.
    const goneAt = new Map<string, number>();
    for (let elapsedMs = 0; elapsedMs < 2 * sessionTimeoutMs; elapsedMs += 250) {
      log.advance(250);
      const index = log.append(
        encode({ type: "keep-alive", clientId: busy, firstUnacknowledged: 1 }),
      );
      for (const replica of log.replicas.values()) {
        if (replica.sessions.session(oldId) === undefined && !goneAt.has(replica.name)) {
          goneAt.set(replica.name, index);
        }
      }
    }
    // Removed by every replica at the same log index: the first stamped 1000 ms after its last.
    expect([...goneAt.values()]).toEqual([7, 7, 7]);
    expect(log.entries.find((entry) => entry.index === 7)?.clusterTimeMs).toBe(sessionTimeoutMs);

    const [failure] = await sim.runUntilSettled([
      idle.request(utf8("idle")).catch((e: unknown) => e),
    ]);
    expect(failure).toBeInstanceOf(SessionExpiredError);
    expect((failure as SessionExpiredError).clientId).toBe(oldId);
    expect((failure as SessionExpiredError).outcome).toBe("definite"); // one attempt, refused

    const [again] = await sim.runUntilSettled([idle.request(utf8("idle"))]);
    expect(text(again)).toBe("2");
    expect(idle.clientId).toBeGreaterThan(oldId);
    expect(idle.stats.registrations).toBe(2);
    for (const replica of log.replicas.values()) expect(replica.app.count("idle")).toBe(2);
    await idle.close();
  });

  it("sessions-in-snapshots", () => {
    const log = new ModelLog(["athens", "byzantium", "cyrene"], () => new Counters());
    const clientId = register(log);
    for (let sequence = 1; sequence <= 5; sequence++) send(log, clientId, sequence, 1);
    const snapshot = log.replica("athens").sessions.snapshot(); // covers request 5
    send(log, clientId, 6, 1);

    const delphi = log.joinBySnapshot("delphi", snapshot);
    expect(delphi.sessions.lastAppliedIndex).toBe(log.entries.at(-1)?.index);
    expect(delphi.sessions.snapshot()).toEqual(log.replica("cyrene").sessions.snapshot());

    log.crash("athens");
    log.crash("byzantium");
    log.elect("delphi");
    const retry = send(log, clientId, 5, 1);
    expect(retry).toMatchObject({ type: "applied", sequence: 5, replayed: true });
    expect(responseText(retry)).toBe("5");
    expect(delphi.app.count("c")).toBe(6);
    expect(delphi.app.executed).toEqual([{ index: 7, name: "c" }]); // only request 6, in the tail
    expect(delphi.sessions.snapshot()).toEqual(log.replica("cyrene").sessions.snapshot());
  });
});
