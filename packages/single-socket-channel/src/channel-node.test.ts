import {
  ClosedError,
  delay,
  InvalidArgumentError,
  NotLeaderError,
  TimeoutError,
} from "@pods/core-interfaces";
import { describe, expect, it } from "vitest";
import { createSimCluster, type Message } from "../test/sim-cluster.ts";
import { ConnectionLostError, RemoteError } from "./errors.ts";

// The channel node's API on simulated streams, one fixed seed each: argument errors, request
// failures, timeouts, epochs, handler faults, backoff.

async function settled<T>(promise: Promise<T>): Promise<T | Error> {
  return promise.catch((error: unknown) => error as Error);
}

async function pair(options: Parameters<typeof createSimCluster>[2] = {}) {
  const cluster = createSimCluster(3, ["athens", "byzantium"], options);
  await cluster.node("athens").ready();
  await cluster.node("byzantium").ready();
  return cluster;
}

describe("ChannelNode", () => {
  it("refuses bad sends with typed errors", async () => {
    const { sim, channel } = await pair({ channel: { frameBytesMax: 1024 } });
    const athens = channel("athens");
    expect(() => athens.send("nowhere", { type: "note", producer: "a", n: 0 })).toThrow(
      InvalidArgumentError,
    );
    expect(() => athens.send("athens", { type: "note", producer: "a", n: 0 })).toThrow(
      InvalidArgumentError,
    );
    expect(() => athens.send("byzantium", { type: "blob", bytes: new Uint8Array(2000) })).toThrow(
      /frameBytesMax/,
    );
    expect(() =>
      athens.send("byzantium", {
        type: "note",
        producer: "a",
        n: 0,
        f: () => 1,
      } as unknown as Message),
    ).toThrow(InvalidArgumentError);
    await expect(
      athens.request("byzantium", { type: "ask", n: 1 }, { timeoutMs: 0 }),
    ).rejects.toThrow(InvalidArgumentError);
    await expect(athens.request("nowhere", { type: "ask", n: 1 })).rejects.toThrow(
      InvalidArgumentError,
    );
    expect(() => athens.onRequest(() => ({ type: "answer", n: 0 }))).not.toThrow();
    expect(() => athens.onRequest(() => ({ type: "answer", n: 0 }))).toThrow(InvalidArgumentError);
    await expect(athens.listen("athens")).rejects.toThrow(/already listening/);
    const closing = athens.close();
    await sim.runUntilSettled([closing]);
    expect(athens.closed).toBe(true);
    expect(() => athens.send("byzantium", { type: "note", producer: "a", n: 0 })).toThrow(
      ClosedError,
    );
    await expect(athens.request("byzantium", { type: "ask", n: 1 })).rejects.toThrow(ClosedError);
    expect(athens.close()).toBe(closing);
  });

  it("answers handler failures as RemoteError with the remote code and outcome", async () => {
    const { sim, channel } = await pair({ channel: { requestQueueMax: 2 } });
    const athens = channel("athens");
    const noHandler = await sim.runUntilSettled([
      settled(athens.request("byzantium", { type: "ask", n: 1 })),
    ]);
    expect(noHandler[0]).toBeInstanceOf(RemoteError);
    expect(noHandler[0]).toMatchObject({
      remoteCode: "INVALID_ARGUMENT",
      outcome: "definite",
      peer: "byzantium",
    });

    channel("byzantium").onRequest(async (_from, request) => {
      if (request.type !== "ask") throw new Error("not an ask");
      if (request.n === 1) throw new NotLeaderError("cyrene");
      if (request.n === 2) throw new Error("boom");
      await sim.sleep(50);
      return { type: "answer", n: request.n };
    });
    const answers = await sim.runUntilSettled([
      settled(athens.request("byzantium", { type: "ask", n: 1 })),
      settled(athens.request("byzantium", { type: "ask", n: 2 })),
    ]);
    expect(answers[0]).toMatchObject({ remoteCode: "NOT_LEADER", outcome: "definite" });
    expect(answers[1]).toMatchObject({
      remoteCode: "ERROR",
      outcome: "indefinite",
      remoteMessage: "boom",
    });

    // One request in the handler and one waiting fill a queue of 2: the third is refused.
    const crowded = await sim.runUntilSettled([
      settled(athens.request("byzantium", { type: "ask", n: 3 })),
      settled(athens.request("byzantium", { type: "ask", n: 4 })),
      settled(athens.request("byzantium", { type: "ask", n: 5 })),
    ]);
    expect(crowded.slice(0, 2)).toEqual([
      { type: "answer", n: 3 },
      { type: "answer", n: 4 },
    ]);
    expect(crowded[2]).toMatchObject({ remoteCode: "QUEUE_FULL", outcome: "definite" });
  });

  it("times a request out as definite while it is still queued, indefinite once written", async () => {
    const { sim, channel } = await pair({
      network: { latency: { minMs: 40, maxMs: 40 } },
      channel: { connectTimeoutMs: 500 },
    });
    channel("byzantium").onRequest(async () => {
      await sim.sleep(500);
      return { type: "answer", n: 0 };
    });
    const [queued] = await sim.runUntilSettled([
      settled(channel("athens").request("byzantium", { type: "ask", n: 1 }, { timeoutMs: 10 })),
    ]);
    expect(queued).toBeInstanceOf(TimeoutError);
    expect((queued as TimeoutError).outcome).toBe("definite");
    await sim.runUntil(() => channel("athens").status("byzantium")?.state === "connected");
    const [written] = await sim.runUntilSettled([
      settled(channel("athens").request("byzantium", { type: "ask", n: 2 }, { timeoutMs: 100 })),
    ]);
    expect(written).toBeInstanceOf(TimeoutError);
    expect((written as TimeoutError).outcome).toBe("indefinite");
    expect(channel("athens").metrics.requestsSent).toBe(2);
  });

  it("never lets a response from an old connection complete a request on a new one", async () => {
    const events: string[] = [];
    const { sim, channel } = await pair({
      onBoot: (id, { channel, env }) => {
        if (id === "byzantium") {
          channel.onRequest(async (_from, request) => {
            if (request.type === "ask" && request.delayMs !== undefined)
              await delay(env.scheduler, request.delayMs);
            return { type: "answer", n: request.type === "ask" ? request.n : -1 };
          });
        } else channel.onConnectionChange((event) => events.push(`${event.state} ${event.epoch}`));
      },
    });
    const athens = channel("athens");
    const first = settled(athens.request("byzantium", { type: "ask", n: 1, delayMs: 200 }));
    await sim.runUntil(() => athens.status("byzantium")?.inflightRequests === 1);
    athens.disconnect("byzantium", "the test drops it");
    const second = athens.request("byzantium", { type: "ask", n: 2 });
    const [lost, answer] = await sim.runUntilSettled([first, second]);
    expect(lost).toBeInstanceOf(ConnectionLostError);
    expect(lost).toMatchObject({
      outcome: "indefinite",
      reason: "the test drops it",
      peer: "byzantium",
    });
    expect(answer).toEqual({ type: "answer", n: 2 });
    await sim.runFor(500);
    expect(channel("byzantium").metrics.responsesDropped).toBe(1);
    expect(athens.metrics.unknownResponses).toBe(0);
    expect(events).toEqual(["connected 1", "disconnected 1", "connected 2"]);
  });

  it("survives a throwing message handler and counts messages nobody handles", async () => {
    const got: number[] = [];
    const { sim, channel } = await pair();
    channel("athens").send("byzantium", { type: "note", producer: "athens", n: 0 });
    await sim.runFor(100);
    expect(channel("byzantium").metrics.messagesDropped).toBe(1);
    channel("byzantium").onMessage(() => {
      throw new Error("handler bug");
    });
    channel("byzantium").onMessage(
      (_from, message) => message.type === "note" && got.push(message.n),
    );
    for (let n = 1; n <= 3; n++)
      channel("athens").send("byzantium", { type: "note", producer: "athens", n });
    await sim.runFor(100);
    expect(got).toEqual([1, 2, 3]);
    expect(channel("byzantium").status("athens")?.epoch).toBe(1);
    const logged = sim
      .node("byzantium")
      .logs.filter((record) => record.event === "channel.handler-threw");
    expect(logged.length).toBe(3);
  });

  it("backs off exponentially while a peer is down, then reconnects", async () => {
    const { sim, node, channel } = await pair({
      channel: { reconnectBackoffMaxMs: 800 },
      onBoot: (id, { channel }) => {
        if (id === "byzantium") channel.onRequest(() => ({ type: "answer", n: 1 }));
      },
    });
    node("byzantium").crash();
    const failures: unknown[] = [];
    const client = sim.spawn("client", async () => {
      while (sim.now < 6_000) {
        try {
          await channel("athens").request("byzantium", { type: "ask", n: 1 });
          return;
        } catch (error) {
          if (!(error instanceof ConnectionLostError)) throw error;
          failures.push(error);
          await sim.sleep(20);
        }
      }
    });
    sim.at(5_000, "restart", () => void node("byzantium").restart());
    await sim.runUntilSettled([client], { timeoutMs: 30_000 });
    expect(failures.length).toBeGreaterThan(0);
    for (const failure of failures)
      expect((failure as ConnectionLostError).outcome).toBe("definite");
    const waits = sim
      .node("athens")
      .logs.filter((record) => record.event === "channel.connect-failed")
      .map((record) => Number(record.fields["nextAttemptInMs"]));
    expect(waits.length).toBeGreaterThan(5);
    expect(
      waits.slice(0, 4).every((wait, index) => wait >= 50 * 2 ** index && wait <= 100 * 2 ** index),
    ).toBe(true);
    expect(Math.max(...waits)).toBeLessThanOrEqual(800);
    expect(channel("athens").status("byzantium")).toMatchObject({
      state: "connected",
      failures: 0,
    });
  });

  it("waits for the peer's connection after a duplicate refusal, and gives up after connectTimeoutMs", async () => {
    const { sim, channel } = await pair({ channel: { connectTimeoutMs: 300 } });
    // athens's dials never complete (their accept is lost); byzantium's reach athens.
    const heal = sim.network.addRule({
      from: "byzantium",
      to: "athens",
      type: "stream-accept",
      action: { kind: "drop" },
    });
    const fromAthens = settled(channel("athens").request("byzantium", { type: "ask", n: 1 }));
    const fromByzantium = settled(channel("byzantium").request("athens", { type: "ask", n: 1 }));
    const [athensFailure, byzantiumFailure] = await sim.runUntilSettled([
      fromAthens,
      fromByzantium,
    ]);
    expect(athensFailure).toMatchObject({
      outcome: "definite",
      reason: expect.stringMatching(/no handshake/) as unknown,
    });
    expect(byzantiumFailure).toMatchObject({
      outcome: "definite",
      reason: expect.stringMatching(/kept its own connection attempt/) as unknown,
    });
    expect(channel("athens").metrics.handshakesRefused).toBeGreaterThanOrEqual(1);
    heal();
    channel("byzantium").onRequest(() => ({ type: "answer", n: 0 }));
    const client = sim.spawn("retry", async () => {
      for (;;) {
        const answer = await settled(channel("athens").request("byzantium", { type: "ask", n: 1 }));
        if (!(answer instanceof Error)) return answer;
        await sim.sleep(100);
      }
    });
    expect((await sim.runUntilSettled([client], { timeoutMs: 30_000 }))[0]).toEqual({
      type: "answer",
      n: 0,
    });
  });

  it("forgets peers it cannot dial once they disconnect", async () => {
    const { sim, channel } = createSimCluster(4, ["athens", "byzantium"], {
      perNode: { byzantium: { peers: {} } },
    });
    await sim.node("athens").ready();
    await sim.node("byzantium").ready();
    channel("byzantium").onRequest(() => ({ type: "answer", n: 0 }));
    await sim.runUntilSettled([channel("athens").request("byzantium", { type: "ask", n: 0 })]);
    expect(channel("byzantium").status("athens")?.state).toBe("connected");
    channel("athens").disconnect("byzantium");
    await sim.runFor(100);
    expect(channel("byzantium").status("athens")).toBeUndefined();
    expect(() =>
      channel("byzantium").send("athens", { type: "note", producer: "b", n: 0 }),
    ).toThrow(InvalidArgumentError);
  });
});
