import {
  InvalidArgumentError,
  TimeoutError,
  UnreachableError,
  type Clock,
} from "@pods/core-interfaces";
import { describe, expect, it } from "vitest";
import { NoReplicaAvailableError, ReplicaLaggingError, TooStaleError } from "./errors.ts";
import { FollowerReadClient, type ReplicaReadPort } from "./follower-read-client.ts";
import type { ReadOptions, ReadResult } from "./read-types.ts";
import { ReplicaSelector, type ReplicaDescriptor } from "./replica-selector.ts";
import { SessionToken } from "./session-token.ts";

type Answer = (options: ReadOptions) => ReadResult<string> | Error;

/** A client over a fake port: each replica answers with `answers[nodeId]`, after `latencyMs`. */
function setup(
  answers: Record<string, Answer>,
  options: { attemptsMax?: number; session?: SessionToken } = {},
) {
  let nowMs = 0;
  const clock: Clock = { monotonicMs: () => nowMs, wallMs: () => nowMs };
  const replicas: ReplicaDescriptor[] = [
    { nodeId: "byzantium", address: "b:1", region: "us-east" },
    { nodeId: "cyrene", address: "c:1", region: "us-east" },
    { nodeId: "athens", address: "a:1", region: "eu-central" },
  ];
  const selector = new ReplicaSelector({ clock, localRegion: "us-east", replicas });
  const calls: { nodeId: string; options: ReadOptions }[] = [];
  const port: ReplicaReadPort<string, string> = {
    read: (replica, _key, readOptions) => {
      calls.push({ nodeId: replica.nodeId, options: readOptions });
      const answer = (
        answers[replica.nodeId] ?? (() => new UnreachableError(replica.nodeId, "no route"))
      )(readOptions);
      nowMs +=
        10 +
        (answer instanceof Error
          ? ((answer as { waitedMs?: number }).waitedMs ?? 0)
          : answer.waitedMs);
      return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer);
    },
  };
  const client = new FollowerReadClient({ selector, port, clock, ...options });
  return { client, selector, calls };
}

const served =
  (version: number, waitedMs = 0): Answer =>
  () => ({ value: `v${version}`, version, waitedMs });
const lagging =
  (waitedMs: number): Answer =>
  (options) =>
    new ReplicaLaggingError({
      nodeId: "x",
      minVersion: options.minVersion ?? 0,
      appliedVersion: 0,
      reason: "wait-timeout",
      waitedMs,
    });

describe("FollowerReadClient", () => {
  it("reads from the best replica and sends the session token as the minimum version", async () => {
    const { client, calls, selector } = setup({ byzantium: served(4, 5) });
    client.observeWrite(3);
    const result = await client.read("title", { maxStalenessMs: 100 });
    expect(result).toEqual({ value: "v4", version: 4, waitedMs: 5, nodeId: "byzantium" });
    expect(calls).toEqual([
      { nodeId: "byzantium", options: { maxStalenessMs: 100, minVersion: 3 } },
    ]);
    expect(client.session.version).toBe(4);
    expect(selector.status("byzantium").smoothedLatencyMs).toBe(10); // the round trip less the wait
    await client.read("title", { minVersion: 2 });
    expect(calls[1]?.options.minVersion).toBe(4); // the larger of the two
  });

  it("tries the next replica after a lagging, too stale or unreachable one", async () => {
    const { client, calls, selector } = setup({
      byzantium: lagging(5000),
      cyrene: () => new TooStaleError({ maxStalenessMs: 100, msSinceLeaderContact: 300 }),
      athens: served(9),
    });
    const result = await client.read("title");
    expect(result.nodeId).toBe("athens");
    expect(calls.map((call) => call.nodeId)).toEqual(["byzantium", "cyrene", "athens"]);
    expect(selector.status("byzantium")).toMatchObject({ down: false, smoothedLatencyMs: 10 });
    expect(selector.status("cyrene").smoothedLatencyMs).toBe(10);
  });

  it("marks replicas that cannot be reached down, and skips them next time", async () => {
    const { client, calls, selector } = setup({
      byzantium: () => new TimeoutError("read on byzantium", 7000),
      athens: served(1),
    });
    await expect(client.read("title")).resolves.toMatchObject({ nodeId: "athens" });
    expect(selector.status("byzantium").down).toBe(true);
    expect(selector.status("cyrene").down).toBe(true);
    calls.length = 0;
    await client.read("title");
    expect(calls.map((call) => call.nodeId)).toEqual(["athens"]);
  });

  it("fails with NoReplicaAvailableError when no replica served, listing each", async () => {
    const { client } = setup({ byzantium: lagging(0) }, { attemptsMax: 2 });
    const error = await client.read("title").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NoReplicaAvailableError);
    expect((error as NoReplicaAvailableError).failures.map((f) => f.nodeId)).toEqual([
      "byzantium",
      "cyrene",
    ]);
    expect((error as Error).message).toMatch(
      /tried byzantium \(REPLICA_LAGGING\), cyrene \(UNREACHABLE\)/,
    );
    expect((error as Error).cause).toBeInstanceOf(UnreachableError);
    const none = await client.read("title").catch((e: unknown) => e); // cyrene is down now
    expect((none as NoReplicaAvailableError).failures.map((f) => f.nodeId)).toEqual([
      "byzantium",
      "athens",
    ]);
  });

  it("passes any other error through at once", async () => {
    const bug = new Error("decode failed");
    const { client, calls } = setup({ byzantium: () => bug, cyrene: served(1) });
    await expect(client.read("title")).rejects.toBe(bug);
    const invalid = setup({ byzantium: () => new InvalidArgumentError("bad key") });
    await expect(invalid.client.read("title")).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(calls).toHaveLength(1);
  });

  it("shares a given session, and validates its options", async () => {
    const session = new SessionToken(7);
    const { client, calls } = setup({ byzantium: served(7) }, { session });
    await client.read("title");
    expect(calls[0]?.options.minVersion).toBe(7);
    expect(client.session).toBe(session);
    await expect(client.read("title", { minVersion: -2 })).rejects.toBeInstanceOf(
      InvalidArgumentError,
    );
    expect(() => setup({}, { attemptsMax: 0 })).toThrow(/attemptsMax/);
    const { selector } = setup({});
    const clock: Clock = { monotonicMs: () => 0, wallMs: () => 0 };
    expect(
      () =>
        new FollowerReadClient({
          selector,
          clock,
          port: undefined as unknown as ReplicaReadPort<string, string>,
        }),
    ).toThrow(InvalidArgumentError);
  });
});
