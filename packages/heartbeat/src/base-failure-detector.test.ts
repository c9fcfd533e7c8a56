import { InvalidArgumentError, type Clock } from "@pods/core-interfaces";
import { describe, expect, it } from "vitest";
import { ManualTime, RecordingLogger } from "../test/manual-time.ts";
import { AlreadyStartedError } from "./errors.ts";
import type { PeerStatusChange } from "./failure-detector.ts";
import { FixedTimeoutDetector } from "./fixed-timeout-detector.ts";
import { PhiAccrualDetector } from "./phi-accrual-detector.ts";

// Behaviour every detector shares (membership, events, the check loop, self-pause awareness),
// shown on both implementations.

const kinds = [
  ["fixed-timeout", FixedTimeoutDetector],
  ["phi-accrual", PhiAccrualDetector],
] as const;

function setUp(
  Detector: (typeof kinds)[number][1],
  options: { pauseThresholdMs?: number; peers?: string[] } = {},
) {
  const time = new ManualTime();
  const logger = new RecordingLogger();
  const detector = new Detector({
    env: { clock: time.clock, scheduler: time.scheduler, logger },
    peers: options.peers ?? ["byzantium", "cyrene"],
    ...(options.pauseThresholdMs === undefined
      ? {}
      : { pauseThresholdMs: options.pauseThresholdMs }),
  });
  const changes: PeerStatusChange[] = [];
  detector.onStatusChange((change) => changes.push(change));
  /** Both peers beat every 100 ms for `ms`. */
  const beatFor = (ms: number) => {
    for (let elapsed = 0; elapsed < ms; elapsed += 100) {
      time.advance(100);
      detector.heartbeatReceived("byzantium");
      detector.heartbeatReceived("cyrene");
    }
  };
  return { time, logger, detector, changes, beatFor };
}

describe.each(kinds)("%s detector: shared behaviour", (_name, Detector) => {
  it("watches, forgets and lists peers; ignores heartbeats from unwatched peers", () => {
    const { time, detector } = setUp(Detector, { peers: ["cyrene", "athens"] });
    expect(detector.peers).toEqual(["athens", "cyrene"]);
    detector.watch("athens"); // idempotent
    detector.heartbeatReceived("client-7"); // not watched: ignored
    expect(detector.isWatched("client-7")).toBe(false);
    expect(() => detector.isAvailable("client-7")).toThrow(/not watched; call watch\("client-7"\)/);
    expect(() => detector.peerState("client-7")).toThrow(InvalidArgumentError);
    expect(() => detector.watch("no spaces")).toThrow(InvalidArgumentError);
    detector.forget("athens");
    detector.forget("athens");
    expect(detector.peers).toEqual(["cyrene"]);
    time.advance(10_000);
    expect(detector.suspects()).toEqual(["cyrene"]);
  });

  it("bounds the peers it watches", () => {
    const time = new ManualTime();
    const env = { clock: time.clock, scheduler: time.scheduler };
    const detector = new Detector({ env, peersMax: 2, peers: ["athens", "byzantium"] });
    expect(() => detector.watch("cyrene")).toThrow(/peersMax/);
    detector.forget("athens");
    detector.watch("cyrene");
    expect(() => new Detector({ env, peersMax: 0 })).toThrow(InvalidArgumentError);
    expect(() => new Detector({ env, peersMax: 1.5 })).toThrow(InvalidArgumentError);
  });

  it("validates the shared options", () => {
    const time = new ManualTime();
    const env = { clock: time.clock, scheduler: time.scheduler };
    expect(() => new Detector({ env, heartbeatIntervalMs: 0 })).toThrow(InvalidArgumentError);
    expect(() => new Detector({ env, checkIntervalMs: -5 })).toThrow(InvalidArgumentError);
    expect(() => new Detector({ env, pauseThresholdMs: 100 })).toThrow(/above checkIntervalMs/);
    expect(() => new Detector({ env, pauseThresholdMs: Number.NaN })).toThrow(InvalidArgumentError);
    expect(new Detector({ env, pauseThresholdMs: Number.POSITIVE_INFINITY }).pauseThresholdMs).toBe(
      Number.POSITIVE_INFINITY,
    );
    expect(new Detector({ env, checkIntervalMs: 50 }).pauseThresholdMs).toBe(150);
  });

  it("runs its check loop until stopped, and refuses a second start", () => {
    const { time, detector, changes } = setUp(Detector);
    expect(detector.isRunning).toBe(false);
    detector.start();
    expect(() => detector.start()).toThrow(AlreadyStartedError);
    time.advance(5000);
    expect(changes.map((change) => [change.peer, change.status])).toEqual([
      ["byzantium", "down"],
      ["cyrene", "down"],
    ]);
    detector.stop();
    detector.stop();
    expect(detector.isRunning).toBe(false);
    expect(time.pending).toBe(0);
    detector.start();
    expect(detector.isRunning).toBe(true);
  });

  it("logs downs and ups, and stops calling a listener once unsubscribed", () => {
    const { time, detector, logger } = setUp(Detector, { peers: ["byzantium"] });
    const seen: string[] = [];
    const unsubscribe = detector.onStatusChange((change) => seen.push(change.status));
    time.advance(5000);
    detector.check();
    detector.heartbeatReceived("byzantium");
    unsubscribe();
    unsubscribe();
    time.advance(5000);
    detector.check();
    expect(seen).toEqual(["down", "up"]);
    expect(logger.events("info")).toEqual([
      "heartbeat.peer-down",
      "heartbeat.peer-up",
      "heartbeat.peer-down",
    ]);
  });

  it("after a pause of its own process, handles the queued messages before accusing anyone", () => {
    const { time, detector, changes, logger, beatFor } = setUp(Detector);
    detector.start();
    beatFor(2000);
    time.freeze(5000); // the process is frozen: no checks ran, nothing was handled
    time.advance(0); // the overdue check runs first on resume, as a timer would
    expect(detector.pausesNoticed).toBe(1);
    expect(detector.lastPauseNoticedMs).toBe(7000);
    expect(logger.events("warn")).toEqual(["heartbeat.self-pause"]);
    expect(detector.suspects()).toEqual([]);
    detector.heartbeatReceived("byzantium"); // then the backlog; cyrene's beats were all lost
    expect(changes).toEqual([]);
    for (let n = 0; n < 100; n++) {
      time.advance(100);
      detector.heartbeatReceived("byzantium");
    }
    expect(changes.map((change) => [change.peer, change.status])).toEqual([["cyrene", "down"]]);
    // Not before one timeout (fixed) or the time phi takes to pass 8 (about 530 ms) after the pause.
    const graceMs = Detector === FixedTimeoutDetector ? 1000 : 500;
    expect(changes[0]?.atMs).toBeGreaterThanOrEqual(7000 + graceMs);
    expect(detector.pausesNoticed).toBe(1);
  });

  it("notices its pause from a query that runs before the overdue check", () => {
    const { time, detector, changes, beatFor } = setUp(Detector);
    detector.start();
    beatFor(1000);
    time.freeze(3000);
    expect(detector.isAvailable("cyrene")).toBe(true); // a handler asks before the check ran
    expect(detector.pausesNoticed).toBe(1);
    time.advance(0);
    expect(changes).toEqual([]);
    expect(detector.pausesNoticed).toBe(1);
  });

  it("keeps a peer that was down before the pause down, without a second announcement", () => {
    const { time, detector, changes, beatFor } = setUp(Detector);
    detector.start();
    beatFor(1000);
    for (let n = 0; n < 30; n++) {
      time.advance(100);
      detector.heartbeatReceived("byzantium");
    }
    expect(changes.map((change) => change.peer)).toEqual(["cyrene"]);
    time.freeze(5000);
    time.advance(0);
    expect(detector.isAvailable("cyrene")).toBe(false);
    expect(detector.isAvailable("byzantium")).toBe(true);
    time.advance(50);
    expect(changes).toHaveLength(1);
  });

  it("without pause awareness, accuses every peer after its own pause (the failure it prevents)", () => {
    const { time, detector, changes, beatFor } = setUp(Detector, {
      pauseThresholdMs: Number.POSITIVE_INFINITY,
    });
    detector.start();
    beatFor(2000);
    time.freeze(5000);
    time.advance(0);
    expect(changes.map((change) => change.status)).toEqual(["down", "down"]);
    expect(detector.pausesNoticed).toBe(0);
  });

  it("never sees time go backwards, even from a faulty clock", () => {
    let reading = 1000;
    const clock: Clock = { monotonicMs: () => reading, wallMs: () => 0 };
    const time = new ManualTime();
    const detector = new Detector({ env: { clock, scheduler: time.scheduler }, peers: ["athens"] });
    reading = 1500;
    detector.heartbeatReceived("athens");
    reading = 200;
    expect(detector.peerState("athens")).toMatchObject({ lastHeardMs: 1500, silentMs: 0 });
  });
});
