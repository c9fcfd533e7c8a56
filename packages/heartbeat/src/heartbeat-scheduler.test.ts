import { InvalidArgumentError, isPodsError } from "@pods/core-interfaces";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ManualTime, RecordingLogger, scriptedRandom } from "../test/manual-time.ts";
import { AlreadyStartedError } from "./errors.ts";
import { HeartbeatScheduler } from "./heartbeat-scheduler.ts";

function beatingAt(time: ManualTime, options: { intervalMs?: number } = {}) {
  const beats: number[] = [];
  const scheduler = new HeartbeatScheduler({
    env: { scheduler: time.scheduler },
    ...options,
    beat: () => beats.push(time.nowMs),
  });
  return { scheduler, beats };
}

describe("HeartbeatScheduler", () => {
  it("beats on the next turn after start, then every 100 ms by default", () => {
    const time = new ManualTime();
    const { scheduler, beats } = beatingAt(time);
    expect(scheduler.intervalMs).toBe(100);
    expect(scheduler.isRunning).toBe(false);
    scheduler.start();
    expect(beats).toEqual([]); // never synchronously inside start()
    time.advance(350);
    expect(beats).toEqual([0, 100, 200, 300]);
    expect(scheduler.beats).toBe(4);
    expect(scheduler.isRunning).toBe(true);
  });

  it("refuses a second start with a typed error and keeps its timing", () => {
    const time = new ManualTime();
    const { scheduler, beats } = beatingAt(time, { intervalMs: 50 });
    scheduler.start();
    time.advance(20);
    const error: unknown = (() => {
      try {
        scheduler.start();
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(AlreadyStartedError);
    expect(isPodsError(error) && error.code).toBe("ALREADY_STARTED");
    expect(isPodsError(error) && error.outcome).toBe("definite");
    expect((error as Error).message).toMatch(/restart\(\)/);
    time.advance(100);
    expect(beats).toEqual([0, 50, 100]);
  });

  it("stops at once, stops idempotently, and resumes at the configured interval", () => {
    const time = new ManualTime();
    const { scheduler, beats } = beatingAt(time);
    scheduler.start();
    time.advance(150);
    scheduler.stop();
    scheduler.stop();
    expect(scheduler.isRunning).toBe(false);
    expect(time.pending).toBe(0);
    time.advance(1000);
    expect(beats).toEqual([0, 100]);
    scheduler.start();
    time.advance(250);
    expect(beats).toEqual([0, 100, 1150, 1250, 1350]);
  });

  it("restart begins a new cycle: the next beat at once, then every interval", () => {
    const time = new ManualTime();
    const { scheduler, beats } = beatingAt(time);
    scheduler.start();
    time.advance(130);
    scheduler.restart();
    time.advance(200);
    expect(beats).toEqual([0, 100, 130, 230, 330]);
    expect(time.pending).toBe(1);
  });

  it("lets a beat stop or restart its own scheduler", () => {
    const time = new ManualTime();
    let count = 0;
    const stopping: HeartbeatScheduler = new HeartbeatScheduler({
      env: { scheduler: time.scheduler },
      beat: () => {
        if (++count === 3) stopping.stop();
      },
    });
    stopping.start();
    time.advance(1000);
    expect(count).toBe(3);
    expect(time.pending).toBe(0);

    const times: number[] = [];
    const restarting: HeartbeatScheduler = new HeartbeatScheduler({
      env: { scheduler: time.scheduler },
      beat: () => {
        times.push(time.nowMs);
        if (times.length === 2) restarting.restart();
      },
    });
    restarting.start();
    time.advance(250);
    expect(times).toEqual([1000, 1100, 1100, 1200]);
    expect(time.pending).toBe(1);
  });

  it("draws every delay from [interval - jitter, interval + jitter)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 10, max: 1000 }),
        fc.double({ min: 0, max: 0.99, noNaN: true }),
        fc.array(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), {
          minLength: 1,
          maxLength: 20,
        }),
        (intervalMs, jitterFraction, floats) => {
          const jitterMs = intervalMs * jitterFraction;
          const time = new ManualTime();
          const beats: number[] = [];
          const scheduler = new HeartbeatScheduler({
            env: { scheduler: time.scheduler, random: scriptedRandom(floats) },
            intervalMs,
            jitterMs,
            beat: () => beats.push(time.nowMs),
          });
          scheduler.start();
          time.advance(intervalMs * 30);
          expect(beats.length).toBeGreaterThan(15);
          for (let index = 1; index < beats.length; index++) {
            const delay = (beats[index] ?? 0) - (beats[index - 1] ?? 0);
            expect(delay).toBeGreaterThanOrEqual(intervalMs - jitterMs - 1e-9);
            expect(delay).toBeLessThan(intervalMs + jitterMs + 1e-9);
          }
        },
      ),
    );
  });

  it("validates its options", () => {
    const time = new ManualTime();
    const env = { scheduler: time.scheduler };
    const beat = () => undefined;
    for (const intervalMs of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => new HeartbeatScheduler({ env, beat, intervalMs })).toThrow(InvalidArgumentError);
    }
    const random = scriptedRandom([0.5]);
    expect(() => new HeartbeatScheduler({ env: { ...env, random }, beat, jitterMs: -1 })).toThrow(
      /jitterMs must be/,
    );
    expect(() => new HeartbeatScheduler({ env: { ...env, random }, beat, jitterMs: 100 })).toThrow(
      /below intervalMs/,
    );
    expect(() => new HeartbeatScheduler({ env, beat, jitterMs: 10 })).toThrow(/env.random/);
    expect(new HeartbeatScheduler({ env, beat, jitterMs: 0 }).jitterMs).toBe(0);
  });

  it("warns once when the measured round trip reaches half the interval, again after it recovers", () => {
    const time = new ManualTime();
    const logger = new RecordingLogger();
    const scheduler = new HeartbeatScheduler({
      env: { scheduler: time.scheduler, logger },
      beat: () => undefined,
    });
    expect(scheduler.roundTrip).toBeUndefined();
    scheduler.roundTripMeasured(10);
    scheduler.roundTripMeasured(20);
    expect(logger.events("warn")).toEqual([]);
    for (let n = 0; n < 40; n++) scheduler.roundTripMeasured(80);
    expect(scheduler.roundTrip?.smoothedMs).toBeGreaterThan(50);
    expect(logger.events("warn")).toEqual(["heartbeat.interval-near-round-trip"]);
    expect(logger.records[0]?.fields).toMatchObject({ intervalMs: 100 });
    for (let n = 0; n < 40; n++) scheduler.roundTripMeasured(30); // below half, above a quarter
    expect(logger.events("warn")).toHaveLength(1);
    for (let n = 0; n < 40; n++) scheduler.roundTripMeasured(5); // recovered
    for (let n = 0; n < 40; n++) scheduler.roundTripMeasured(90);
    expect(logger.events("warn")).toHaveLength(2);
    expect(scheduler.roundTrip?.samples).toBe(162);
    expect(() => scheduler.roundTripMeasured(-1)).toThrow(InvalidArgumentError);
    expect(() => scheduler.roundTripMeasured(Number.NaN)).toThrow(InvalidArgumentError);
  });
});
