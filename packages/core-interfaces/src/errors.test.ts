import { describe, expect, it } from "vitest";
import {
  ClockOffsetError,
  ClosedError,
  CompactedError,
  CorruptionError,
  DecodeError,
  InvalidArgumentError,
  InvariantError,
  IOError,
  isPodsError,
  NotLeaderError,
  PodsError,
  TimeoutError,
  UnreachableError,
} from "./errors.ts";

describe("typed errors", () => {
  it("carry a stable code, their class name, and a definite or indefinite outcome", () => {
    const cases: [PodsError, string, string, "definite" | "indefinite"][] = [
      [new InvalidArgumentError("bad"), "INVALID_ARGUMENT", "InvalidArgumentError", "definite"],
      [new NotLeaderError("cyrene"), "NOT_LEADER", "NotLeaderError", "definite"],
      [new TimeoutError("put x", 50), "TIMEOUT", "TimeoutError", "indefinite"],
      [new CorruptionError("checksum mismatch"), "CORRUPTION", "CorruptionError", "definite"],
      [new DecodeError("not msgpack"), "DECODE", "DecodeError", "definite"],
      [new CompactedError(100, 5), "COMPACTED", "CompactedError", "definite"],
      [new ClosedError("the log"), "CLOSED", "ClosedError", "definite"],
      [
        new UnreachableError("delphi", "link refused"),
        "UNREACHABLE",
        "UnreachableError",
        "definite",
      ],
      [new IOError("write", "a.log", "failed"), "IO", "IOError", "definite"],
      [new InvariantError("x"), "INVARIANT", "InvariantError", "definite"],
    ];
    for (const [error, code, name, outcome] of cases) {
      expect(error).toBeInstanceOf(PodsError);
      expect(error).toBeInstanceOf(Error);
      expect(error.code).toBe(code);
      expect(error.name).toBe(name);
      expect(error.outcome).toBe(outcome);
      expect(isPodsError(error)).toBe(true);
    }
  });

  it("let the caller override the outcome and keep the cause", () => {
    const cause = new Error("socket closed");
    const error = new NotLeaderError(undefined, { outcome: "indefinite", cause });
    expect(error.outcome).toBe("indefinite");
    expect(error.cause).toBe(cause);
    expect(error.message).toContain("knows no leader");
  });

  it("say what happened and what to do", () => {
    expect(new NotLeaderError("cyrene").message).toBe(
      'This node is not the leader; retry against node "cyrene".',
    );
    expect(new TimeoutError("request 7 to byzantium", 250).message).toContain(
      "timed out after 250 ms; it may still take effect",
    );
    expect(new CompactedError(100, 5).message).toContain("Index 5 is below the low-water mark 100");
    expect(new IOError("open", "wal/a.log", "not-found").message).toBe(
      "open wal/a.log failed: no such file or directory.",
    );
    expect(new IOError("sync", "a", "failed", "EIO").message).toContain("(EIO)");
  });

  it("locate corruption by file, offset and index", () => {
    const error = new CorruptionError("checksum mismatch", {
      file: "wal/1.log",
      offset: 96,
      index: 3,
    });
    expect(error.message).toBe("checksum mismatch (at file wal/1.log, offset 96, index 3)");
    expect([error.file, error.offset, error.index]).toEqual(["wal/1.log", 96, 3]);
    const decode = new DecodeError("trailing bytes", { offset: 4 });
    expect(decode).toBeInstanceOf(CorruptionError);
    expect(decode.message).toBe("cannot decode: trailing bytes (at offset 4)");
  });

  it("measure a clock offset from the two readings", () => {
    const error = new ClockOffsetError({ remoteWallMs: 3000, localWallMs: 1000, maxOffsetMs: 500 });
    expect(error.offsetMs).toBe(2000);
    expect(error.message).toContain("2000 ms ahead");
    expect(error.message).toContain("tolerated 500 ms");
  });

  it("are told apart from other errors", () => {
    expect(isPodsError(new Error("plain"))).toBe(false);
    expect(isPodsError({ code: "TIMEOUT", outcome: "indefinite" })).toBe(false);
    expect(isPodsError(undefined)).toBe(false);
  });
});
