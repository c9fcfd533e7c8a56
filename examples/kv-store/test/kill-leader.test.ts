// The real-process fault test of issue 6: a 3-node cluster of processes on loopback under a
// concurrent write load; the leader is killed with SIGKILL and later restarted. A new leader must
// be elected, no acknowledged write may be lost, the restarted node must catch up, and the whole
// recorded history must be linearizable (checked by @pods/lincheck).
import { setTimeout as sleep } from "node:timers/promises";
import { checkHistory, formatExplanation, type HistoryFile } from "@pods/lincheck";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KvClient, KvRequestError } from "../src/client.ts";
import { startRealCluster, type RealCluster } from "./real-cluster.ts";

type Operation = HistoryFile["operations"][number];

const keys = ["a", "b", "c", "d"];
const clients = 6;

describe("a real 3-node cluster", () => {
  let cluster: RealCluster;
  beforeAll(async () => {
    cluster = await startRealCluster(["athens", "byzantium", "cyrene"]);
  }, 60_000);
  afterAll(async () => {
    await cluster?.stop();
  }, 30_000);

  it("survives kill -9 of the leader under load: new leader, nothing acknowledged lost, catch-up, linearizable", async () => {
    const firstLeader = await cluster.waitForLeader();
    const operations: Operation[] = [];
    const acknowledged = new Map<string, string>();
    let clock = 0;
    let running = true;
    const worker = async (client: number): Promise<void> => {
      const kv = new KvClient({
        endpoints: cluster.endpoints,
        retriesMax: 40,
        attemptTimeoutMs: 2000,
      });
      for (let n = 0; running; n++) {
        const key = keys[(client + n) % keys.length]!;
        const isPut = n % 3 !== 2;
        const value = `${client}-${n}`;
        const call = clock++;
        try {
          if (isPut) {
            await kv.put(key, value);
            acknowledged.set(`${key}=${value}`, key);
            operations.push({
              client,
              call,
              return: clock++,
              input: { op: "put", key, value },
              output: {},
            });
          } else {
            const found = await kv.get(key);
            const read = found === undefined ? "" : new TextDecoder().decode(found.value);
            operations.push({
              client,
              call,
              return: clock++,
              input: { op: "get", key },
              output: { value: read },
            });
          }
        } catch (error) {
          // A write whose outcome is unknown stays open in the history: it may or may not have
          // happened. Reads and definite failures changed nothing and are left out.
          if (isPut && !(error instanceof KvRequestError && error.outcome === "definite")) {
            operations.push({
              client,
              call,
              return: null,
              input: { op: "put", key, value },
              output: null,
            });
          }
        }
      }
    };
    const load = Array.from({ length: clients }, (_, client) => worker(client));

    await sleep(2_000);
    await cluster.kill(firstLeader);
    const secondLeader = await cluster.waitForLeader();
    expect(secondLeader).not.toBe(firstLeader);
    await sleep(2_000);
    cluster.restart(firstLeader);
    await sleep(2_000);
    running = false;
    await Promise.all(load);

    // The restarted node catches up with the leader.
    const leaderStatus = await cluster.status(await cluster.waitForLeader());
    const target = leaderStatus!.commitIndex;
    let restarted = await cluster.status(firstLeader);
    for (
      let waited = 0;
      (restarted?.appliedIndex ?? 0) < target && waited < 20_000;
      waited += 100
    ) {
      await sleep(100);
      restarted = await cluster.status(firstLeader);
    }
    expect(restarted?.appliedIndex).toBeGreaterThanOrEqual(target);

    // A final linearizable read of every key joins the history, so a lost acknowledged write shows.
    const reader = new KvClient({ endpoints: cluster.endpoints, retriesMax: 40 });
    for (const key of keys) {
      const call = clock++;
      const found = await reader.get(key);
      const read = found === undefined ? "" : new TextDecoder().decode(found.value);
      operations.push({
        client: clients,
        call,
        return: clock++,
        input: { op: "get", key },
        output: { value: read },
      });
    }
    const completed = operations.filter((operation) => operation.return !== null).length;
    expect(completed).toBeGreaterThan(50);
    expect(acknowledged.size).toBeGreaterThan(20);
    const result = checkHistory({ model: "kv", operations });
    if (result.verdict === "not linearizable") {
      console.error(formatExplanation(result.explanation).join("\n"));
    }
    expect(result.verdict).toBe("linearizable");
  }, 120_000);
});
