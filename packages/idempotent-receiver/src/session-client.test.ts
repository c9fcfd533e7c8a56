import { ClosedError, InvalidArgumentError } from "@pods/core-interfaces";
import { Simulation } from "@pods/simulation";
import { describe, expect, it } from "vitest";
import { FakeLog } from "../test/fake-log.ts";
import { text, utf8 } from "../test/machines.ts";
import {
  RequestQueueFullError,
  RequestTooOldError,
  SessionExpiredError,
  SessionRequestFailedError,
} from "./errors.ts";
import { SessionClient } from "./session-client.ts";
import type { SessionClientOptions } from "./session-client-options.ts";

function setup(options: Partial<SessionClientOptions> = {}, log = new FakeLog()) {
  const sim = new Simulation({ seed: 7 });
  const client = new SessionClient({ log, scheduler: sim.scheduler, ...options });
  /** Runs the simulation until `promise` settles; its value or its error. */
  const settle = async (promise: Promise<unknown>): Promise<unknown> => {
    const [value] = await sim.runUntilSettled([promise.catch((error: unknown) => error)]);
    return value;
  };
  return { sim, log, client, settle };
}

describe("SessionClient", () => {
  it("registers on first use and numbers requests from 1", async () => {
    const { log, client, settle } = setup();
    expect(text((await settle(client.request(utf8("c")))) as Uint8Array)).toBe("1");
    expect(text((await settle(client.request(utf8("c")))) as Uint8Array)).toBe("2");
    expect(log.submitted[0]).toEqual({ type: "register" });
    expect(client.clientId).toBe(1);
    expect(log.requests.map((r) => [r.sequence, r.firstUnacknowledged])).toEqual([
      [1, 1],
      [2, 2],
    ]);
    expect(client.nextSequence).toBe(3);
    await client.close();
  });

  it("keeps inflightMax sequences in flight and reports the lowest unacknowledged", async () => {
    const { sim, log, client } = setup({ inflightMax: 4 });
    await sim.runUntilSettled([client.request(utf8("warm-up"))]);
    log.holding = true;
    const responses = Array.from({ length: 10 }, () => client.request(utf8("c")));
    await sim.runFor(1);
    expect(client.inFlightCount).toBe(4);
    expect(client.queuedCount).toBe(6);
    expect(log.held).toHaveLength(4);

    // Answer 5, 4, 3: the window stays shut until 2, the lowest, is answered; then each answer
    // opens it by one.
    for (const release of log.held.splice(1).reverse()) release();
    await sim.runFor(1);
    expect(client.firstUnacknowledged).toBe(2);
    expect(log.held).toHaveLength(1);
    log.holding = false;
    log.held.splice(0)[0]?.();
    const values = await sim.runUntilSettled(responses);

    expect(values.map(text).sort((a, b) => Number(a) - Number(b))).toEqual(
      Array.from({ length: 10 }, (_, n) => String(n + 1)),
    );
    const requests = log.requests.slice(1);
    expect(requests.map((r) => r.sequence)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(requests.map((r) => r.firstUnacknowledged)).toEqual([2, 2, 2, 2, 6, 6, 6, 6, 7, 8]);
    await client.close();
  });

  it("retries failed attempts with the same sequence and gets the saved response", async () => {
    const { log, client, settle } = setup();
    await settle(client.request(utf8("c")));
    log.script.push("not-leader", "lose-reply", "unreachable", "lose-reply");
    expect(text((await settle(client.request(utf8("c")))) as Uint8Array)).toBe("2");
    expect(log.requests.slice(1).map((r) => r.sequence)).toEqual([2, 2, 2, 2, 2]);
    expect(log.app.count("c")).toBe(2);
    expect(log.machine.stats.replayed).toBe(2);
    expect(client.stats.retries).toBe(4);
    await client.close();
  });

  it("fails definitely when no attempt can have applied, indefinitely otherwise", async () => {
    const { log, client, settle } = setup({ retriesMax: 2 });
    log.script.push("ok", "not-leader", "unreachable", "not-leader");
    const definite = await settle(client.request(utf8("c")));
    expect(definite).toBeInstanceOf(SessionRequestFailedError);
    expect(definite).toMatchObject({ outcome: "definite", attempts: 3 });

    log.script.push("not-leader", "lose-reply", "not-leader");
    const indefinite = await settle(client.request(utf8("c")));
    expect(indefinite).toMatchObject({ outcome: "indefinite", attempts: 3 });
    expect((indefinite as Error).message).toMatch(/may have been applied/);

    log.script.push("closed");
    const unfixable = await settle(client.request(utf8("c")));
    expect(unfixable).toMatchObject({ outcome: "definite", attempts: 1 });
    expect((unfixable as Error).cause).toBeInstanceOf(ClosedError);
    await client.close();
  });

  it("times out an attempt that never settles and retries it", async () => {
    const { log, client, settle } = setup({ attemptTimeoutMs: 100 });
    log.script.push("ok", "hang");
    expect(text((await settle(client.request(utf8("c")))) as Uint8Array)).toBe("1");
    expect(log.requests).toHaveLength(2);
    await client.close();
  });

  it("passes a too-old refusal on, indefinite only if an earlier attempt may have applied", async () => {
    const { log, client, settle } = setup();
    const tooOld = {
      type: "request-too-old",
      clientId: 1,
      sequence: 1,
      highestDiscarded: 3,
    } as const;
    log.script.push("ok", { answer: tooOld });
    const first = await settle(client.request(utf8("c")));
    expect(first).toBeInstanceOf(RequestTooOldError);
    expect(first).toMatchObject({ outcome: "definite" }); // its only attempt was refused

    log.script.push("lose-reply", { answer: { ...tooOld, sequence: 2 } });
    const retried = await settle(client.request(utf8("c")));
    expect(retried).toBeInstanceOf(RequestTooOldError);
    expect(retried).toMatchObject({ outcome: "indefinite" }); // the lost reply's attempt applied
    await client.close();
  });

  it("sends keep-alives only when idle for a whole interval", async () => {
    const { sim, log, client, settle } = setup({ keepAliveIntervalMs: 100 });
    await settle(client.request(utf8("c")));
    await sim.runFor(350);
    const keepAlives = log.submitted.filter((command) => command.type === "keep-alive");
    expect(keepAlives.length).toBeGreaterThanOrEqual(2);
    expect(keepAlives[0]).toEqual({ type: "keep-alive", clientId: 1, firstUnacknowledged: 2 });

    const before = client.stats.keepAlives;
    for (let n = 0; n < 10; n++) {
      await sim.runFor(50);
      await settle(client.request(utf8("c")));
    }
    expect(client.stats.keepAlives - before).toBeLessThanOrEqual(1);
    await client.close();
  });

  it("re-registers when the session expired and marks requests in flight indeterminate", async () => {
    const { sim, log, client, settle } = setup({}, new FakeLog({ sessionTimeoutMs: 1_000 }));
    await settle(client.request(utf8("c")));
    log.clusterTimeMs = 5_000; // the session is idle for longer than its timeout
    log.holding = true;
    const inFlight = [1, 2, 3].map(() =>
      client.request(utf8("c")).catch((error: unknown) => error),
    );
    await sim.runFor(1);
    log.holding = false;
    for (const release of log.held.splice(0)) release();
    const errors = await sim.runUntilSettled(inFlight);

    expect(errors.every((error) => error instanceof SessionExpiredError)).toBe(true);
    expect(errors.map((error) => (error as SessionExpiredError).outcome)).toEqual([
      "definite", // refused on its only attempt
      "indefinite", // in flight when the session was found gone
      "indefinite",
    ]);
    expect(client.stats.expirations).toBe(1);
    expect(log.app.count("c")).toBe(1);

    expect(text((await settle(client.request(utf8("c")))) as Uint8Array)).toBe("2");
    expect(client.clientId).toBeGreaterThan(1);
    expect(log.requests.at(-1)).toMatchObject({ sequence: 1, clientId: client.clientId });
    await client.close();
  });

  it("finds an expired session through a keep-alive", async () => {
    const log = new FakeLog({ sessionTimeoutMs: 1_000 });
    const { sim, client, settle } = setup({ keepAliveIntervalMs: 100 }, log);
    await settle(client.request(utf8("c")));
    log.clusterTimeMs = 5_000;
    await sim.runUntil(() => client.clientId === undefined, { timeoutMs: 1_000 });
    expect(client.stats.expirations).toBe(1);
    await client.close();
  });

  it("fails waiting requests when registering fails, and tries again on the next", async () => {
    const { log, client, settle } = setup({ retriesMax: 1 });
    log.script.push("not-leader", "not-leader");
    const error = await settle(client.request(utf8("c")));
    expect(error).toBeInstanceOf(SessionRequestFailedError);
    expect(error).toMatchObject({ outcome: "definite" });
    expect(client.clientId).toBeUndefined();
    expect(text((await settle(client.request(utf8("c")))) as Uint8Array)).toBe("1");
    await client.close();
  });

  it("bounds its queue and fails everything on close", async () => {
    const { sim, log, client } = setup({ inflightMax: 1, queuedMax: 2 });
    log.holding = true;
    const outcomes = [1, 2, 3].map(() =>
      client.request(utf8("c")).catch((error: unknown) => error),
    );
    await sim.runFor(1);
    for (const release of log.held.splice(0)) release(); // the register answer
    await sim.runFor(1);
    expect(client.inFlightCount).toBe(1);
    expect(client.queuedCount).toBe(1);
    await client.close();
    const errors = await sim.runUntilSettled(outcomes);
    expect(errors[2]).toBeInstanceOf(RequestQueueFullError); // two wait for the registration
    expect(errors.slice(0, 2).every((error) => error instanceof ClosedError)).toBe(true);
    expect(errors.slice(0, 2).map((error) => (error as ClosedError).outcome)).toEqual([
      "indefinite", // in flight
      "definite", // still queued
    ]);
    await expect(client.request(utf8("c"))).rejects.toBeInstanceOf(ClosedError);
    await client.close();
  });

  it("validates its options", () => {
    const sim = new Simulation({ seed: 1 });
    const base = { log: new FakeLog(), scheduler: sim.scheduler };
    expect(() => new SessionClient({ ...base, inflightMax: 0 })).toThrow(InvalidArgumentError);
    expect(() => new SessionClient({ ...base, retriesMax: -1 })).toThrow(/retriesMax/);
    expect(
      () => new SessionClient({ ...base, retryBackoffMs: 100, retryBackoffMaxMs: 50 }),
    ).toThrow(/retryBackoffMaxMs must be a finite number of ms >= 100/);
    expect(() => new SessionClient({ ...base, attemptTimeoutMs: Infinity })).toThrow(
      /attemptTimeoutMs/,
    );
  });
});
