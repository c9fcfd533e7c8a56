import { isPodsError } from "@pods/core-interfaces";
import { hybridTimestamp } from "@pods/hybrid-clock";
import { describe, expect, it } from "vitest";
import { ClockUnsafeError, PendingWritesFullError, ReadRestartError } from "./errors.ts";

describe("errors", () => {
  it("are definite Pods errors with stable codes", () => {
    const errors = [
      new ClockUnsafeError("wait", 1200, 1000),
      new ReadRestartError("k", hybridTimestamp(1000), hybridTimestamp(1005, 0, "athens")),
      new PendingWritesFullError("pendingMax", 10),
    ];
    expect(errors.map((error) => [error.code, error.outcome, isPodsError(error)])).toEqual([
      ["CLOCK_UNSAFE", "definite", true],
      ["READ_RESTART", "definite", true],
      ["PENDING_WRITES_FULL", "definite", true],
    ]);
    expect(errors.map((error) => error.name)).toEqual([
      "ClockUnsafeError",
      "ReadRestartError",
      "PendingWritesFullError",
    ]);
  });

  it("say what happened and what to do", () => {
    expect(new ClockUnsafeError("error-bound", 300, 250).message).toMatch(
      /error bound is 300 ms, more than errorBoundMsMax \(250 ms\).*Check the time daemon/,
    );
    expect(new ClockUnsafeError("wait", 1200, 1000).message).toMatch(
      /would take 1200 ms in all, more than waitMsMax \(1000 ms\).*did not take effect/,
    );
    expect(new ClockUnsafeError("peer-offsets", 450, 400).message).toMatch(
      /at least 450 ms away from a majority.*stops serving/,
    );
    expect(
      new ReadRestartError("k", hybridTimestamp(1000), hybridTimestamp(1005, 0, "athens")).message,
    ).toMatch(/found key "k" written at 1970-01-01T00:00:01.005Z\+0@athens.*Restart the read/);
    expect(new PendingWritesFullError("pendingMax", 10).message).toMatch(
      /10 writes are pending \(pendingMax\).*raise pendingMax/,
    );
  });
});
