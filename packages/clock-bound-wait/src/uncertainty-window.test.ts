import { InvalidArgumentError, TimeoutError } from "@pods/core-interfaces";
import { hybridTimestamp } from "@pods/hybrid-clock";
import { describe, expect, it } from "vitest";
import { FixedClock, hybridClock, rejection } from "../test/testbed.ts";
import { ReadRestartError } from "./errors.ts";
import {
  defaultRestartAttemptsMax,
  readWithRestarts,
  UncertaintyWindow,
  type RestartRequired,
  type UncertaintyRequest,
} from "./uncertainty-window.ts";

const ts = (wallMs: number, logical = 0, nodeId = "") => hybridTimestamp(wallMs, logical, nodeId);

function reader(maxOffsetMs = 10) {
  const wall = new FixedClock(1000);
  const clock = hybridClock(wall, "athens", maxOffsetMs);
  return { wall, clock };
}

function thrown(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error("expected an error");
}

describe("UncertaintyWindow", () => {
  it("reads at the clock's now and covers every timestamp up to maxOffsetMs ahead", () => {
    const window = new UncertaintyWindow(reader());
    expect(window.startTs).toEqual(ts(1000, 1, "athens"));
    expect(window.readTs).toEqual(window.startTs);
    expect(window.uncertaintyLimit).toEqual(ts(1011));
    expect(window.attempts).toBe(1);
    expect(window.restartAttemptsMax).toBe(defaultRestartAttemptsMax);
    expect(window.requestFor("byzantium")).toEqual({
      readTs: ts(1000, 1, "athens"),
      uncertaintyLimit: ts(1011),
    });
  });

  it("takes a given read timestamp and a width other than the clock's maxOffsetMs", () => {
    const window = new UncertaintyWindow({
      ...reader(),
      readTs: ts(900, 3, "cyrene"),
      maxOffsetMs: 2.5,
    });
    expect(window.readTs).toEqual(ts(900, 3, "cyrene"));
    expect(window.uncertaintyLimit).toEqual(ts(904));
  });

  it("caps a node's window at the first clock reading the node reported", () => {
    const window = new UncertaintyWindow(reader());
    window.observe("byzantium", ts(1004, 2, "byzantium"));
    window.observe("byzantium", ts(1003, 0, "byzantium"));
    window.observe("cyrene", ts(1050, 0, "cyrene"));
    expect(window.requestFor("byzantium").uncertaintyLimit).toEqual(ts(1004, 2, "byzantium"));
    expect(window.requestFor("cyrene").uncertaintyLimit).toEqual(ts(1011));
    expect(window.requestFor("delphi").uncertaintyLimit).toEqual(ts(1011));
    expect([...window.observedTimestamps.keys()]).toEqual(["byzantium", "cyrene"]);
  });

  it("moves the read forward on a restart and keeps the limit", () => {
    const window = new UncertaintyWindow(reader());
    window.restart({ restartAt: ts(1005, 0, "byzantium"), key: "k" });
    expect(window.readTs).toEqual(ts(1005, 0, "byzantium"));
    expect(window.attempts).toBe(2);
    expect(window.uncertaintyLimit).toEqual(ts(1011));
    expect(() => window.restart({ restartAt: ts(1005, 0, "byzantium"), key: "k" })).toThrow(
      InvalidArgumentError,
    );
  });

  it("fails with TimeoutError, caused by a ReadRestartError, after restartAttemptsMax attempts", () => {
    const { wall, clock } = reader();
    const window = new UncertaintyWindow({ clock, restartAttemptsMax: 2 });
    window.restart({ restartAt: ts(1002), key: "k" });
    wall.wall = 1007;
    const error = thrown(() => window.restart({ restartAt: ts(1004), key: "k" }));
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({ timeoutMs: 7 });
    expect((error as Error).message).toMatch(/restarting after 2 attempts \(restartAttemptsMax\)/);
    const cause = (error as Error).cause;
    expect(cause).toBeInstanceOf(ReadRestartError);
    expect(cause).toMatchObject({
      code: "READ_RESTART",
      key: "k",
      readTs: ts(1002),
      restartAt: ts(1004),
    });
    expect(window.attempts).toBe(2);
  });

  it("validates its options and inputs", () => {
    const { clock } = reader();
    expect(() => new UncertaintyWindow({ clock, restartAttemptsMax: 0 })).toThrow(
      /restartAttemptsMax/,
    );
    expect(() => new UncertaintyWindow({ clock, maxOffsetMs: -1 })).toThrow(/maxOffsetMs/);
    expect(() => new UncertaintyWindow({ clock, readTs: ts(-1) })).toThrow(InvalidArgumentError);
    expect(() => new UncertaintyWindow({ clock: {} as never })).toThrow(/clock/);
    const window = new UncertaintyWindow({ clock });
    expect(() => window.observe("not a node!", ts(1))).toThrow(InvalidArgumentError);
    expect(() => window.observe("byzantium", { wallMs: 1 } as never)).toThrow(InvalidArgumentError);
  });
});

describe("readWithRestarts", () => {
  it("restarts at each version found and caps the node's window with its first observation", async () => {
    const window = new UncertaintyWindow(reader());
    const requests: UncertaintyRequest[] = [];
    const answers: (
      { kind: "value"; value: string; observedTs: ReturnType<typeof ts> } | RestartRequired
    )[] = [
      {
        kind: "restart",
        readTs: ts(1000, 1, "athens"),
        restartAt: ts(1003, 0, "b"),
        key: "k",
        observedTs: ts(1006, 0, "b"),
      },
      {
        kind: "restart",
        readTs: ts(1003, 0, "b"),
        restartAt: ts(1005, 0, "b"),
        key: "k",
        observedTs: ts(1009, 0, "b"),
      },
      { kind: "value", value: "v", observedTs: ts(1010, 0, "b") },
    ];
    const read = await readWithRestarts(window, "byzantium", (request) => {
      requests.push(request);
      return Promise.resolve(answers[requests.length - 1]!);
    });
    expect(read).toEqual({ result: answers[2], attempts: 3 });
    expect(requests).toEqual([
      { readTs: ts(1000, 1, "athens"), uncertaintyLimit: ts(1011) },
      { readTs: ts(1003, 0, "b"), uncertaintyLimit: ts(1006, 0, "b") },
      { readTs: ts(1005, 0, "b"), uncertaintyLimit: ts(1006, 0, "b") },
    ]);
  });

  it("fails with TimeoutError when every attempt restarts", async () => {
    const window = new UncertaintyWindow({ ...reader(), restartAttemptsMax: 3 });
    let attempts = 0;
    const error = await rejection(
      readWithRestarts(window, "byzantium", (request) => {
        attempts++;
        const restartAt = ts(request.readTs.wallMs + 1);
        return {
          kind: "restart",
          readTs: request.readTs,
          restartAt,
          key: "k",
          observedTs: ts(1100),
        };
      }),
    );
    expect(error).toBeInstanceOf(TimeoutError);
    expect(attempts).toBe(3);
  });

  it("passes on what the attempt throws", async () => {
    const window = new UncertaintyWindow(reader());
    const failure = new Error("link down");
    expect(
      await rejection(readWithRestarts(window, "byzantium", () => Promise.reject(failure))),
    ).toBe(failure);
  });
});
