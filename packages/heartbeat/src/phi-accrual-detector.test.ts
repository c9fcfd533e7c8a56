import { InvalidArgumentError } from "@pods/core-interfaces";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ManualTime } from "../test/manual-time.ts";
import { PhiAccrualDetector } from "./phi-accrual-detector.ts";

function detectorAt(time: ManualTime, options: { windowSamplesMax?: number } = {}) {
  return new PhiAccrualDetector({
    env: { clock: time.clock, scheduler: time.scheduler },
    peers: ["byzantium"],
    ...options,
  });
}

describe("PhiAccrualDetector", () => {
  it("derives its defaults from the heartbeat interval", () => {
    const detector = detectorAt(new ManualTime());
    expect(detector.threshold).toBe(8);
    expect(detector.minStdDevMs).toBe(25);
    expect(detector.acceptablePauseMs).toBe(300);
    expect(detector.windowSamplesMax).toBe(1000);
    expect(detector.arrivalStats("byzantium")).toEqual({ samples: 0, meanMs: 100, stdDevMs: 25 });
  });

  it("learns the intervals, and suspects after the mean plus the acceptable pause plus some deviations", () => {
    const time = new ManualTime();
    const detector = detectorAt(time);
    for (let n = 0; n < 50; n++) {
      time.advance(n % 2 === 0 ? 80 : 120);
      detector.heartbeatReceived("byzantium");
    }
    expect(detector.arrivalStats("byzantium")).toMatchObject({ samples: 49 });
    expect(detector.arrivalStats("byzantium").meanMs).toBeCloseTo(100, 0);
    expect(detector.phi("byzantium")).toBeLessThan(1e-6);
    let silentMs = 0;
    while (detector.isAvailable("byzantium")) {
      time.advance(1);
      silentMs++;
    }
    expect(detector.phi("byzantium")).toBeGreaterThanOrEqual(8);
    expect(silentMs).toBeGreaterThan(400);
    expect(silentMs).toBeLessThan(600);
  });

  it("gives a jittery peer more slack than a steady one", () => {
    const time = new ManualTime();
    const detector = new PhiAccrualDetector({
      env: { clock: time.clock, scheduler: time.scheduler },
      peers: ["steady", "jittery"],
      acceptablePauseMs: 0,
    });
    for (let n = 0; n < 200; n++) {
      time.advance(50);
      if (n % 2 === 0) detector.heartbeatReceived("steady");
      if (n % 4 !== 1) detector.heartbeatReceived("jittery"); // intervals of 50 and 100 ms
    }
    time.advance(150);
    expect(detector.phi("steady")).toBeGreaterThan(detector.phi("jittery"));
  });

  it("does not learn an interval that ended a suspicion", () => {
    const time = new ManualTime();
    const detector = detectorAt(time);
    for (let n = 0; n < 20; n++) {
      time.advance(100);
      detector.heartbeatReceived("byzantium");
    }
    time.advance(30_000); // an outage
    detector.heartbeatReceived("byzantium");
    expect(detector.arrivalStats("byzantium")).toEqual({ samples: 19, meanMs: 100, stdDevMs: 25 });
  });

  it("forgets what it learned about a forgotten peer", () => {
    const time = new ManualTime();
    const detector = detectorAt(time);
    for (let n = 0; n < 5; n++) {
      time.advance(60);
      detector.heartbeatReceived("byzantium");
    }
    expect(detector.arrivalStats("byzantium").samples).toBe(4);
    detector.forget("byzantium");
    expect(() => detector.arrivalStats("byzantium")).toThrow(InvalidArgumentError);
    expect(() => detector.phi("byzantium")).toThrow(InvalidArgumentError);
    detector.watch("byzantium");
    expect(detector.arrivalStats("byzantium").samples).toBe(0);
  });

  it("property: phi never decreases while a peer stays silent", () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 1, max: 400, noNaN: true }), { minLength: 0, maxLength: 60 }),
        fc.array(fc.double({ min: 0, max: 200, noNaN: true }), { minLength: 1, maxLength: 40 }),
        (arrivals, silences) => {
          const time = new ManualTime();
          const detector = detectorAt(time, { windowSamplesMax: 16 });
          for (const gap of arrivals) {
            time.advance(gap);
            detector.heartbeatReceived("byzantium");
          }
          let previous = detector.phi("byzantium");
          for (const step of silences) {
            time.advance(step);
            const phi = detector.phi("byzantium");
            expect(phi).toBeGreaterThanOrEqual(previous);
            expect(detector.isAvailable("byzantium")).toBe(phi < 8);
            previous = phi;
          }
        },
      ),
    );
  });

  it("validates its options", () => {
    const time = new ManualTime();
    const env = { clock: time.clock, scheduler: time.scheduler };
    expect(() => new PhiAccrualDetector({ env, threshold: 0 })).toThrow(/threshold/);
    expect(() => new PhiAccrualDetector({ env, threshold: Number.NaN })).toThrow(
      InvalidArgumentError,
    );
    expect(() => new PhiAccrualDetector({ env, minStdDevMs: 0 })).toThrow(/minStdDevMs/);
    expect(() => new PhiAccrualDetector({ env, acceptablePauseMs: -1 })).toThrow(
      /acceptablePauseMs/,
    );
    expect(() => new PhiAccrualDetector({ env, windowSamplesMax: 0 })).toThrow(/windowSamplesMax/);
    expect(new PhiAccrualDetector({ env, acceptablePauseMs: 0 }).acceptablePauseMs).toBe(0);
  });
});
