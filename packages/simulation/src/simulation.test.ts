import { InvalidArgumentError, TimeoutError } from "@pods/core-interfaces";
import { describe, expect, it } from "vitest";
import { Simulation } from "./simulation.ts";
import { SimulationError } from "./simulation-error.ts";

describe("Simulation: virtual time and the run loop", () => {
  it("runs timers at their due times, ties in scheduling order, and ends runFor at the deadline", async () => {
    const sim = new Simulation({ seed: 1 });
    const fired: string[] = [];
    for (const [delayMs, name] of [
      [10, "c"],
      [5, "a"],
      [5, "b"],
      [30, "late"],
    ] as const) {
      sim.scheduler.after(delayMs, () => fired.push(`${name}@${sim.now}`));
    }
    await sim.runFor(20);
    expect(fired).toEqual(["a@5", "b@5", "c@10"]);
    expect(sim.now).toBe(20);
    await sim.runFor(10);
    expect(fired.at(-1)).toBe("late@30");
    expect(sim.clock.monotonicMs()).toBe(30);
    expect(sim.clock.wallMs()).toBe(Date.UTC(2026, 0, 1) + 30);
  });

  it("lets every promise continuation of an event run before the next event", async () => {
    const sim = new Simulation({ seed: 1 });
    const seen: string[] = [];
    sim.scheduler.after(1, () => {
      void (async () => {
        for (let index = 0; index < 100; index++) await Promise.resolve();
        seen.push(`chain done at ${sim.now}`);
      })();
    });
    sim.scheduler.after(1, () => seen.push(`second event at ${sim.now}`));
    await sim.runFor(5);
    expect(seen).toEqual(["chain done at 1", "second event at 1"]);
  });

  it("sleep, spawn and runUntilSettled: the short way to run client loops to completion", async () => {
    const sim = new Simulation({ seed: 1 });
    const clients = [3, 1, 2].map((steps) =>
      sim.spawn(`client ${steps}`, async () => {
        for (let step = 0; step < steps; step++) await sim.sleep(10);
        return sim.now;
      }),
    );
    await expect(sim.runUntilSettled(clients)).resolves.toEqual([30, 10, 20]);
    expect(sim.now).toBe(30);
  });

  it("runUntil stops as soon as the condition holds", async () => {
    const sim = new Simulation({ seed: 1 });
    let ticks = 0;
    const tick = (): void => {
      ticks++;
      sim.scheduler.after(7, tick);
    };
    tick();
    await sim.runUntil(() => ticks === 4);
    expect(sim.now).toBe(21);
  });

  it("runUntil fails with the seed when virtual time runs out, or when nothing is left to happen", async () => {
    const sim = new Simulation({ seed: 99 });
    const tick = (): void => {
      sim.scheduler.after(100, tick);
    };
    tick();
    const timeout = await sim
      .runUntil(() => false, { timeoutMs: 1_000, description: "a leader" })
      .catch((error: unknown) => error);
    expect(timeout).toBeInstanceOf(SimulationError);
    expect((timeout as SimulationError).message).toMatch(/waited for a leader for 1000 ms/);
    expect((timeout as SimulationError).message).toContain("PODS_SEED=99");
    expect(sim.now).toBe(1_000);
    const idle = new Simulation({ seed: 5 });
    await expect(idle.runUntil(() => false)).rejects.toThrow(/nothing is left to happen/);
  });

  it("step runs one event at a time", async () => {
    const sim = new Simulation({ seed: 1 });
    sim.scheduler.after(3, () => undefined);
    await expect(sim.step()).resolves.toBe(true);
    expect(sim.now).toBe(3);
    await expect(sim.step()).resolves.toBe(false);
    expect(sim.eventCount).toBe(1);
  });

  it("at() runs a labelled action at a virtual time and rejects times in the past", async () => {
    const sim = new Simulation({ seed: 1, recordTrace: true });
    let at = -1;
    sim.at(250, "partition heals", () => {
      at = sim.now;
    });
    await sim.runFor(300);
    expect(at).toBe(250);
    expect(sim.traceLines).toContain("250.000 at partition heals");
    expect(() => {
      sim.at(100, "too late", () => undefined);
    }).toThrow(InvalidArgumentError);
  });

  it("withTimeout gives up after virtual time with a TimeoutError, or passes the result on", async () => {
    const sim = new Simulation({ seed: 1 });
    const never = new Promise<number>(() => undefined);
    const slow = sim.withTimeout(never, 50, "get x");
    const fast = sim.withTimeout(
      sim.sleep(10).then(() => 7),
      50,
    );
    const [outcome, value] = await sim.runUntilSettled([
      slow.catch((error: unknown) => error),
      fast,
    ]);
    expect(outcome).toBeInstanceOf(TimeoutError);
    expect((outcome as TimeoutError).message).toContain("get x timed out after 50 ms");
    expect(value).toBe(7);
  });
});

describe("Simulation: failures stop the run and name the seed", () => {
  it("a task that throws fails the run with seed, virtual time and the last trace lines", async () => {
    const sim = new Simulation({ seed: 1234 });
    void sim.spawn("writer", async () => {
      await sim.sleep(25);
      throw new Error("lost an acknowledged write");
    });
    const error = await sim.runFor(100).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SimulationError);
    const failure = error as SimulationError;
    expect(failure.seed).toBe(1234);
    expect(failure.timeMs).toBe(25);
    expect(failure.message).toMatch(/^task "writer" failed: lost an acknowledged write/);
    expect(failure.message).toContain("replay with PODS_SEED=1234");
    expect(failure.traceTail.some((line) => line.includes("task writer start"))).toBe(true);
    expect(sim.failure).toBe(failure);
    await expect(sim.runFor(1)).rejects.toBe(failure);
  });

  it("a timer task that throws fails the run", async () => {
    const sim = new Simulation({ seed: 1 });
    sim.scheduler.after(5, () => {
      throw new Error("boom");
    });
    await expect(sim.runFor(10)).rejects.toThrow(/a simulation timer failed: boom/);
  });

  it("an invariant is checked after every event and a violation fails the run at that event", async () => {
    const sim = new Simulation({ seed: 8 });
    let leaders = 0;
    sim.scheduler.after(10, () => (leaders = 1));
    sim.scheduler.after(20, () => (leaders = 2));
    sim.addInvariant("at most one leader", () => {
      if (leaders > 1) throw new Error(`${leaders} leaders`);
    });
    expect(() => {
      sim.addInvariant("at most one leader", () => undefined);
    }).toThrow(InvalidArgumentError);
    const error = (await sim.runFor(50).catch((caught: unknown) => caught)) as SimulationError;
    expect(error.message).toMatch(/^invariant "at most one leader" failed: 2 leaders/);
    expect(error.timeMs).toBe(20);
  });

  it("an unregistered invariant is no longer checked", async () => {
    const sim = new Simulation({ seed: 8 });
    const remove = sim.addInvariant("never", () => {
      throw new Error("checked");
    });
    remove();
    sim.scheduler.after(1, () => undefined);
    await expect(sim.runFor(5)).resolves.toBeUndefined();
  });

  it("check() wraps a failed final check with the report", () => {
    const sim = new Simulation({ seed: 77 });
    expect(() => {
      sim.check("history is linearizable", () => {
        throw new Error("read saw a stale value");
      });
    }).toThrow(/check "history is linearizable" failed: read saw a stale value[\s\S]*PODS_SEED=77/);
    expect(() => {
      sim.check("fine", () => undefined);
    }).not.toThrow();
  });

  it("driving the simulation from inside it fails clearly", async () => {
    const sim = new Simulation({ seed: 1 });
    void sim.spawn("nested", () => sim.runFor(10));
    await expect(sim.runFor(1)).rejects.toThrow(/use await sim.sleep\(ms\) there/);
  });

  it("a livelock at one virtual instant is detected", async () => {
    const sim = new Simulation({ seed: 1, sameTimeEventsMax: 100 });
    const spin = (): void => {
      sim.scheduler.after(0, spin);
    };
    spin();
    await expect(sim.runFor(1)).rejects.toThrow(/more than 100 events ran at one virtual instant/);
  });

  it("validates its options", async () => {
    expect(() => new Simulation({ seed: -1 })).toThrow(InvalidArgumentError);
    expect(() => new Simulation({ seed: 1, logRecordsMax: -1 })).toThrow(InvalidArgumentError);
    expect(() => new Simulation({ seed: 1, sameTimeEventsMax: 0 })).toThrow(InvalidArgumentError);
    expect(() => new Simulation({ seed: 1, epochMs: Number.NaN })).toThrow(InvalidArgumentError);
    expect(() => new Simulation({ seed: 1, network: { lossRate: 2 } })).toThrow(
      InvalidArgumentError,
    );
    const sim = new Simulation({ seed: 1 });
    await expect(sim.runFor(-1)).rejects.toThrow(InvalidArgumentError);
    await expect(sim.runUntil(() => true, { timeoutMs: Number.NaN })).rejects.toThrow(
      InvalidArgumentError,
    );
    expect(() => sim.node("nobody")).toThrow(InvalidArgumentError);
    sim.addNode("athens", { boot: () => undefined });
    expect(() => sim.addNode("athens", { boot: () => undefined })).toThrow(/exists already/);
    expect(() => sim.addNode("not valid!", { boot: () => undefined })).toThrow(
      InvalidArgumentError,
    );
  });
});
