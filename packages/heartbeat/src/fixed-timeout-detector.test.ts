import { InvalidArgumentError } from "@pods/core-interfaces";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ManualTime } from "../test/manual-time.ts";
import type { PeerStatusChange } from "./failure-detector.ts";
import { FixedTimeoutDetector } from "./fixed-timeout-detector.ts";

const peers = ["byzantium", "cyrene", "delphi"] as const;

function detectorAt(
  time: ManualTime,
  options: { timeoutMs?: number; checkIntervalMs?: number; heartbeatIntervalMs?: number } = {},
) {
  const detector = new FixedTimeoutDetector({
    env: { clock: time.clock, scheduler: time.scheduler },
    peers: [...peers],
    ...options,
  });
  const changes: PeerStatusChange[] = [];
  detector.onStatusChange((change) => changes.push(change));
  return { detector, changes };
}

describe("FixedTimeoutDetector", () => {
  it("uses the book's defaults: timeout 1000 ms, heartbeats and checks every 100 ms", () => {
    const { detector } = detectorAt(new ManualTime());
    expect(detector.timeoutMs).toBe(1000);
    expect(detector.heartbeatIntervalMs).toBe(100);
    expect(detector.checkIntervalMs).toBe(100);
    expect(detector.pauseThresholdMs).toBe(300);
  });

  it("suspects a peer exactly when now - lastHeard >= timeout (inclusive)", () => {
    const time = new ManualTime();
    const { detector } = detectorAt(time);
    time.advance(250);
    detector.heartbeatReceived("byzantium");
    time.advance(999.999);
    expect(detector.isAvailable("byzantium")).toBe(true);
    time.advance(0.001);
    expect(detector.isAvailable("byzantium")).toBe(false);
    expect(detector.suspects()).toEqual(["byzantium", "cyrene", "delphi"]);
    detector.heartbeatReceived("byzantium");
    expect(detector.isAvailable("byzantium")).toBe(true);
    expect(detector.suspects()).toEqual(["cyrene", "delphi"]);
  });

  it("gives a newly watched peer one full timeout to speak", () => {
    const time = new ManualTime();
    const { detector } = detectorAt(time);
    time.advance(5000);
    detector.watch("ephesus");
    time.advance(999);
    expect(detector.isAvailable("ephesus")).toBe(true);
    expect(detector.peerState("ephesus")).toMatchObject({ heartbeats: 0, lastHeardMs: 5000 });
    time.advance(1);
    expect(detector.isAvailable("ephesus")).toBe(false);
  });

  it("announces down at a check and up at the heartbeat that ends the suspicion", () => {
    const time = new ManualTime();
    const { detector, changes } = detectorAt(time, { checkIntervalMs: 100 });
    detector.forget("cyrene");
    detector.forget("delphi");
    detector.start();
    time.advance(50);
    detector.heartbeatReceived("byzantium");
    time.advance(1049);
    expect(changes).toEqual([]);
    time.advance(1); // the check at 1100 finds 1050 ms of silence
    expect(changes).toEqual([{ peer: "byzantium", status: "down", atMs: 1100, lastHeardMs: 50 }]);
    expect(detector.peerState("byzantium")).toMatchObject({ status: "down", available: false });
    time.advance(1000);
    expect(changes).toHaveLength(1); // announced once
    detector.heartbeatReceived("byzantium");
    expect(changes[1]).toEqual({ peer: "byzantium", status: "up", atMs: 2100, lastHeardMs: 2100 });
    expect(detector.peerState("byzantium")).toMatchObject({
      status: "up",
      available: true,
      heartbeats: 2,
      silentMs: 0,
    });
  });

  it("validates that the timeout exceeds the heartbeat and check intervals", () => {
    const time = new ManualTime();
    const env = { clock: time.clock, scheduler: time.scheduler };
    expect(() => new FixedTimeoutDetector({ env, timeoutMs: 100 })).toThrow(
      /above heartbeatIntervalMs/,
    );
    expect(() => new FixedTimeoutDetector({ env, timeoutMs: 90 })).toThrow(InvalidArgumentError);
    expect(
      () =>
        new FixedTimeoutDetector({
          env,
          timeoutMs: 500,
          checkIntervalMs: 500,
          pauseThresholdMs: 2000,
        }),
    ).toThrow(/checkIntervalMs/);
    expect(() => new FixedTimeoutDetector({ env, timeoutMs: 0 })).toThrow(/timeoutMs must be/);
    expect(() => new FixedTimeoutDetector({ env, timeoutMs: Number.NaN })).toThrow(
      InvalidArgumentError,
    );
    expect(new FixedTimeoutDetector({ env, timeoutMs: 101 }).timeoutMs).toBe(101);
  });

  it("property: without pauses, a peer is suspected iff it has been silent >= timeout", () => {
    const step = fc.oneof(
      fc.record({
        kind: fc.constant("advance" as const),
        ms: fc.double({ min: 0, max: 700, noNaN: true }),
      }),
      fc.record({ kind: fc.constant("beat" as const), peer: fc.constantFrom(...peers) }),
      fc.record({ kind: fc.constant("check" as const) }),
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 101, max: 3000 }),
        fc.array(step, { maxLength: 80 }),
        (timeoutMs, steps) => {
          const time = new ManualTime();
          const { detector, changes } = detectorAt(time, { timeoutMs });
          const lastHeard = new Map<string, number>(peers.map((peer) => [peer, 0]));
          for (const action of steps) {
            if (action.kind === "advance") time.advance(action.ms);
            else if (action.kind === "beat") {
              detector.heartbeatReceived(action.peer);
              lastHeard.set(action.peer, time.nowMs);
            } else detector.check();
            for (const peer of peers) {
              const silentMs = time.nowMs - (lastHeard.get(peer) ?? 0);
              expect(detector.isAvailable(peer)).toBe(silentMs < timeoutMs);
              expect(detector.peerState(peer).silentMs).toBe(silentMs);
            }
            expect(detector.suspects()).toEqual(
              peers.filter((peer) => time.nowMs - (lastHeard.get(peer) ?? 0) >= timeoutMs),
            );
          }
          for (const change of changes) {
            if (change.status === "down") {
              expect(change.atMs - change.lastHeardMs).toBeGreaterThanOrEqual(timeoutMs);
            }
          }
        },
      ),
    );
  });

  it("property: with the check loop running, a silent peer is announced down within [timeout, timeout + check interval]", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 20, max: 200 }),
        fc.integer({ min: 2, max: 20 }),
        fc.array(fc.double({ min: 0, max: 3000, noNaN: true }), { maxLength: 30 }),
        (checkIntervalMs, timeoutIntervals, gaps) => {
          const time = new ManualTime();
          const timeoutMs = checkIntervalMs * timeoutIntervals + 1;
          const { detector, changes } = detectorAt(time, {
            timeoutMs,
            checkIntervalMs,
            heartbeatIntervalMs: checkIntervalMs,
          });
          detector.forget("cyrene");
          detector.forget("delphi");
          detector.start();
          for (const gap of gaps) {
            time.advance(gap);
            detector.heartbeatReceived("byzantium");
          }
          time.advance(timeoutMs + checkIntervalMs);
          const downs = changes.filter((change) => change.status === "down");
          expect(downs.length).toBeGreaterThanOrEqual(1);
          for (const down of downs) {
            expect(down.atMs - down.lastHeardMs).toBeGreaterThanOrEqual(timeoutMs);
            expect(down.atMs - down.lastHeardMs).toBeLessThanOrEqual(timeoutMs + checkIntervalMs);
          }
          const ups = changes.filter((change) => change.status === "up");
          expect(ups.length).toBe(downs.length - 1); // the last silence is not yet ended
          expect(detector.pausesNoticed).toBe(0);
        },
      ),
    );
  });

  it("property: time only moves forward, so a suspicion holds until the peer is heard", () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 400, noNaN: true }), { minLength: 1, maxLength: 40 }),
        (advances) => {
          const time = new ManualTime();
          const { detector } = detectorAt(time);
          let suspected = false;
          for (const ms of advances) {
            time.advance(ms);
            const available = detector.isAvailable("byzantium");
            if (suspected) expect(available).toBe(false);
            suspected = !available;
          }
        },
      ),
    );
  });
});
