import type { Env, NodeId } from "@pods/core-interfaces";
import { runSeeds, seedsFromEnv, Simulation } from "@pods/simulation";
import { describe, expect, it } from "vitest";
import {
  AlreadyStartedError,
  countInboundMessages,
  FixedTimeoutDetector,
  HeartbeatScheduler,
  PhiAccrualDetector,
  sendToPeers,
  type BaseFailureDetector,
  type PeerStatusChange,
} from "../src/index.ts";
import { electionCluster } from "./election-fixture.ts";

// The acceptance scenarios of PATTERNS.md, "5. HeartBeat", one test each, in the simulator over
// many seeds (PODS_SEED=<n> replays one, PODS_SEEDS=<n> runs more).

type Message = { type: "heartbeat" } | { type: "append-entries" } | { type: "append-response" };

/** A status change, with the true (simulation) time it happened at. */
type Change = PeerStatusChange & { readonly trueMs: number };

/** A node that beats `message` to `peers` every interval (± jitter) from boot. */
function addSender(
  sim: Simulation<Message>,
  id: NodeId,
  peers: readonly NodeId[],
  options: { jitterMs?: number; message?: Message } = {},
) {
  return sim.addNode(id, {
    boot: ({ env, transport }) => {
      const scheduler = new HeartbeatScheduler({
        env,
        jitterMs: options.jitterMs ?? 0,
        beat: sendToPeers({
          transport,
          peers: () => peers,
          message: () => options.message ?? { type: "heartbeat" },
        }),
      });
      scheduler.start();
      return scheduler;
    },
  });
}

/** A node whose detector counts every inbound message as a heartbeat; its changes are kept. */
function addWatcher<D extends BaseFailureDetector>(
  sim: Simulation<Message>,
  id: NodeId,
  makeDetector: (env: Env) => D,
) {
  const changes: Change[] = [];
  const node = sim.addNode(id, {
    boot: ({ env, transport }) => {
      const detector = makeDetector(env);
      countInboundMessages(transport, detector);
      detector.onStatusChange((change) => changes.push({ ...change, trueMs: sim.now }));
      detector.start();
      return detector;
    },
  });
  return { node, changes };
}

describe("heartbeat: the book's scenarios", () => {
  it("timeout-detects-stop", async () => {
    await runSeeds(
      seedsFromEnv({ defaultCount: 20 }),
      async (seed) => {
        const sim = new Simulation<Message>({
          seed,
          network: { latency: { minMs: 1, maxMs: 20 } },
        });
        const sender = addSender(sim, "athens", ["byzantium"]);
        const receiver = addWatcher(
          sim,
          "byzantium",
          (env) => new FixedTimeoutDetector({ env, peers: ["athens"], timeoutMs: 1000 }),
        );
        const stopAt = 2000 + sim.random.int(0, 1000);
        sim.at(stopAt, "stop athens's heartbeats", () => {
          sender.instance.stop();
        });
        await sim.runFor(stopAt + 3000);

        sim.check("down between t + timeout and t + timeout + one check interval", () => {
          // t: the moment byzantium last heard athens (the final heartbeat's arrival).
          const t = receiver.node.instance.peerState("athens").lastHeardMs;
          expect(receiver.changes).toHaveLength(1);
          const down = receiver.changes[0];
          expect(down).toMatchObject({ peer: "athens", status: "down", lastHeardMs: t });
          expect(down?.atMs).toBeGreaterThanOrEqual(t + 1000);
          expect(down?.atMs).toBeLessThanOrEqual(t + 1000 + 100);
          // In true time: the last beat left within one interval before the stop.
          expect(down?.trueMs).toBeGreaterThan(stopAt - 100 + 1000);
          expect(down?.trueMs).toBeLessThanOrEqual(stopAt + 20 + 1000 + 100);
        });
      },
      { file: import.meta.url },
    );
  }, 120_000);

  it("phi-accrual", async () => {
    await runSeeds(
      seedsFromEnv({ defaultCount: 5 }),
      async (seed) => {
        // Steady 100 ms arrivals, then silence: phi rises without ever falling and passes 8 in a
        // bounded time (well within the fixed detector's 1000 ms).
        const steady = new Simulation<Message>({
          seed,
          network: { latency: { minMs: 2, maxMs: 2 } },
        });
        const sender = addSender(steady, "athens", ["byzantium"]);
        const receiver = addWatcher(
          steady,
          "byzantium",
          (env) => new PhiAccrualDetector({ env, peers: ["athens"] }),
        );
        const stopAt = 5000 + steady.random.int(1, 99) + 0.5; // between two beats
        steady.at(stopAt, "stop athens's heartbeats", () => {
          sender.instance.stop();
        });
        const samples: { trueMs: number; phi: number }[] = [];
        for (let t = stopAt; t <= stopAt + 2000; t += 5) {
          steady.at(t, "sample phi", () => {
            samples.push({ trueMs: t, phi: receiver.node.instance.phi("athens") });
          });
        }
        await steady.runFor(stopAt + 2000);
        steady.check("phi rises during the silence and passes 8 within 1000 ms", () => {
          const lastArrival = Math.floor(stopAt / 100) * 100 + 2; // beats at 0, 100, ...; 2 ms latency
          const after = samples.filter((sample) => sample.trueMs >= lastArrival);
          for (let index = 1; index < after.length; index++) {
            expect(after[index]?.phi).toBeGreaterThanOrEqual(after[index - 1]?.phi ?? 0);
          }
          const crossing = after.find((sample) => sample.phi >= 8);
          expect(crossing).toBeDefined();
          expect((crossing?.trueMs ?? Infinity) - lastArrival).toBeLessThanOrEqual(1000);
          expect(receiver.changes.map((change) => change.status)).toEqual(["down"]);
          expect(receiver.changes[0]?.trueMs).toBeLessThanOrEqual((crossing?.trueMs ?? 0) + 100);
        });

        // ±30 ms jitter and no silence: no suspicion over 10,000 intervals.
        const jittery = new Simulation<Message>({ seed });
        addSender(jittery, "athens", ["byzantium"], { jitterMs: 30 });
        let phiMax = 0;
        const watcher = jittery.addNode("byzantium", {
          boot: ({ env, transport }) => {
            const detector = new PhiAccrualDetector({ env, peers: ["athens"] });
            // Registered before the detector's own handler: phi just before each arrival is
            // the highest it gets between two heartbeats.
            transport.onMessage(() => {
              phiMax = Math.max(phiMax, detector.phi("athens"));
            });
            countInboundMessages(transport, detector);
            detector.start();
            return detector;
          },
        });
        await jittery.runFor(10_000 * 100);
        jittery.check("no suspicion over 10,000 jittery intervals", () => {
          const state = watcher.instance.peerState("athens");
          expect(state.heartbeats).toBeGreaterThan(9_900);
          expect(state.status).toBe("up");
          expect(phiMax).toBeGreaterThan(0);
          expect(phiMax).toBeLessThan(8);
          expect(watcher.instance.arrivalStats("athens").stdDevMs).toBeGreaterThan(20);
        });
      },
      { file: import.meta.url },
    );
  }, 120_000);

  it("leader-silence-triggers-election", async () => {
    await runSeeds(
      seedsFromEnv({ defaultCount: 10 }),
      async (seed) => {
        // Isolate the leader: each follower suspects it after the timeout and starts an election;
        // the leader, hearing from no majority, gives up (CheckQuorum).
        const isolated = electionCluster(seed, { latency: { minMs: 1, maxMs: 10 } });
        const isolateAt = 2000 + isolated.sim.random.int(0, 500);
        isolated.sim.at(isolateAt, "isolate the leader", () => {
          isolated.sim.network.isolate("athens");
        });
        await isolated.sim.runFor(isolateAt + 3000);
        isolated.sim.check("followers suspect the leader after the timeout and elect", () => {
          for (const follower of [isolated.byzantium, isolated.cyrene]) {
            const member = follower.instance;
            expect(member.elections).toHaveLength(1);
            const election = member.elections[0];
            expect(election?.generation).toBe(2);
            expect(election?.atMs).toBeGreaterThanOrEqual(
              (election?.leaderLastHeardMs ?? 0) + 1000,
            );
            expect(election?.atMs).toBeLessThanOrEqual((election?.leaderLastHeardMs ?? 0) + 1100);
            expect(election?.trueMs).toBeGreaterThanOrEqual(isolateAt + 1000 - 100);
            expect(election?.trueMs).toBeLessThanOrEqual(isolateAt + 1000 + 100);
          }
          const leader = isolated.athens.instance;
          expect(leader.quorumLostAtMs).toBeDefined();
          expect(leader.quorumLostAtMs).toBeLessThanOrEqual(isolateAt + 1000 + 100);
          expect(leader.elections).toEqual([]);
        });

        // Heartbeats flowing, under 5 % loss and 1–30 ms of jitter: no election and no generation
        // change over 1,000 intervals.
        const flowing = electionCluster(seed, {
          lossRate: 0.05,
          duplicateRate: 0.01,
          latency: { minMs: 1, maxMs: 30 },
        });
        await flowing.sim.runFor(1000 * 100);
        flowing.sim.check("no election while the leader's heartbeats flow", () => {
          for (const node of [flowing.athens, flowing.byzantium, flowing.cyrene]) {
            expect(node.instance.elections).toEqual([]);
            expect(node.instance.generation).toBe(1);
            expect(node.instance.detector.suspects()).toEqual([]);
          }
          expect(flowing.athens.instance.quorumLostAtMs).toBeUndefined();
          expect(flowing.athens.instance.heartbeats?.beats).toBeGreaterThanOrEqual(1000);
          expect(flowing.sim.network.stats.dropped.loss).toBeGreaterThan(0);
        });
      },
      { file: import.meta.url },
    );
  }, 120_000);

  it("scheduler-lifecycle", async () => {
    await runSeeds(
      seedsFromEnv({ defaultCount: 10 }),
      async (seed) => {
        const sim = new Simulation<Message>({ seed });
        const beatsAtMs: number[] = [];
        const driftPpm = sim.random.int(-500, 501);
        const sender = sim.addNode("athens", {
          clock: { driftPpm },
          boot: ({ env }) => {
            const scheduler = new HeartbeatScheduler({
              env,
              beat: () => beatsAtMs.push(env.clock.monotonicMs()),
            });
            scheduler.start();
            return scheduler;
          },
        });
        let secondStart: unknown;
        sim.at(1000, "start again while running", () => {
          try {
            sender.instance.start();
          } catch (error) {
            secondStart = error;
          }
        });
        sim.at(2050, "stop", () => {
          sender.instance.stop();
        });
        sim.at(4000, "start after stop", () => {
          sender.instance.start();
        });
        await sim.runFor(6000);
        sim.check("start twice fails; stop then start resumes at the configured interval", () => {
          expect(secondStart).toBeInstanceOf(AlreadyStartedError);
          const gaps = beatsAtMs.slice(1).map((at, index) => at - (beatsAtMs[index] ?? 0));
          const pause = gaps.findIndex((gap) => gap > 150);
          expect(pause).toBeGreaterThan(15);
          expect(gaps[pause]).toBeGreaterThan(1900);
          for (const [index, gap] of gaps.entries()) {
            if (index !== pause) expect(gap).toBeCloseTo(100, 6); // local time: drift included
          }
          expect(gaps.length - pause).toBeGreaterThanOrEqual(19); // about 20 beats after restart
          expect(sender.instance.beats).toBe(beatsAtMs.length);
        });
      },
      { file: import.meta.url },
    );
  }, 120_000);

  it("any-message-counts", async () => {
    await runSeeds(
      seedsFromEnv({ defaultCount: 10 }),
      async (seed) => {
        const sim = new Simulation<Message>({
          seed,
          network: { latency: { minMs: 1, maxMs: 15 } },
        });
        // athens replicates to byzantium every 200 ms and watches it; byzantium beats every
        // 100 ms and answers every append.
        const changes: Change[] = [];
        const athens = sim.addNode("athens", {
          boot: ({ env, transport }) => {
            const detector = new FixedTimeoutDetector({ env, peers: ["byzantium"] });
            countInboundMessages(transport, detector);
            detector.onStatusChange((change) => changes.push({ ...change, trueMs: sim.now }));
            detector.start();
            const replication = new HeartbeatScheduler({
              env,
              intervalMs: 200,
              beat: sendToPeers({
                transport,
                peers: () => ["byzantium"],
                message: () => ({ type: "append-entries" }),
              }),
            });
            replication.start();
            return detector;
          },
        });
        sim.addNode("byzantium", {
          boot: ({ env, transport }) => {
            transport.onMessage((from, message) => {
              if (message.type === "append-entries")
                transport.send(from, { type: "append-response" });
            });
            const heartbeats = new HeartbeatScheduler({
              env,
              beat: sendToPeers({
                transport,
                peers: () => ["athens"],
                message: () => ({ type: "heartbeat" }),
              }),
            });
            heartbeats.start();
          },
        });
        sim.network.addRule({
          name: "drop byzantium's heartbeats",
          from: "byzantium",
          type: "heartbeat",
          action: { kind: "drop" },
        });
        await sim.runFor(100 * 100); // 100 heartbeat intervals, 10 timeouts
        sim.check("byzantium stays available on its replication responses alone", () => {
          expect(sim.network.stats.dropped.rule).toBeGreaterThanOrEqual(99);
          expect(changes).toEqual([]);
          expect(athens.instance.isAvailable("byzantium")).toBe(true);
          expect(athens.instance.peerState("byzantium").heartbeats).toBeGreaterThanOrEqual(45);
        });

        // The control: once the responses stop too, byzantium is suspected after the timeout.
        sim.network.addRule({
          name: "drop byzantium's responses",
          from: "byzantium",
          type: "append-response",
          action: { kind: "drop" },
        });
        await sim.runFor(2000);
        sim.check("silenced completely, byzantium goes down", () => {
          expect(changes.map((change) => change.status)).toEqual(["down"]);
          const down = changes[0];
          expect(down?.atMs).toBeGreaterThanOrEqual((down?.lastHeardMs ?? 0) + 1000);
          expect(down?.atMs).toBeLessThanOrEqual((down?.lastHeardMs ?? 0) + 1100);
        });
      },
      { file: import.meta.url },
    );
  }, 120_000);
});
