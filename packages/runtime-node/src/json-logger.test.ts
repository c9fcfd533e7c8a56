import { InvalidArgumentError, IOError, type LogLevel } from "@pods/core-interfaces";
import { describe, expect, it, vi } from "vitest";
import { createJsonLogger } from "./json-logger.ts";

function capture(level?: LogLevel, fields?: Record<string, unknown>) {
  const lines: string[] = [];
  const logger = createJsonLogger({
    ...(level === undefined ? {} : { level }),
    ...(fields === undefined ? {} : { fields }),
    write: (line) => lines.push(line),
  });
  const records = (): Record<string, unknown>[] =>
    lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  return { logger, lines, records };
}

describe("createJsonLogger", () => {
  it("writes one JSON object per line: time, level, event, then fields", () => {
    const { logger, lines, records } = capture();
    logger.info("election.won", { term: 3, node: "athens" });
    expect(lines).toHaveLength(1);
    expect(lines[0]?.endsWith("}\n")).toBe(true);
    expect(lines[0]?.indexOf("\n")).toBe((lines[0]?.length ?? 0) - 1);
    const [record] = records();
    expect(Object.keys(record ?? {})).toEqual(["time", "level", "event", "term", "node"]);
    expect(record).toMatchObject({ level: "info", event: "election.won", term: 3, node: "athens" });
    expect(new Date(record?.time as string).toISOString()).toBe(record?.time);
  });

  it("drops events below its level", () => {
    const { logger, records } = capture("warn");
    logger.debug("d");
    logger.info("i");
    logger.warn("w");
    logger.error("e");
    expect(records().map((record) => record.level)).toEqual(["warn", "error"]);
    const debugging = capture("debug");
    debugging.logger.debug("d");
    expect(debugging.records().map((record) => record.event)).toEqual(["d"]);
  });

  it("does not even look at the fields of a dropped event", () => {
    const { logger, lines } = capture("info");
    const fields = {
      get expensive(): string {
        throw new Error("a dropped event must not read its fields");
      },
    };
    logger.debug("skipped", fields);
    expect(lines).toEqual([]);
  });

  it("merges logger, child and event fields, later ones winning", () => {
    const { logger, records } = capture("info", { cluster: "greece", node: "unset" });
    const child = logger.child({ node: "athens", role: "leader" });
    const grandchild = child.child({ role: "follower" });
    grandchild.info("e", { term: 1 });
    child.info("f", { node: "sparta" });
    logger.info("g");
    expect(records()).toMatchObject([
      { event: "e", cluster: "greece", node: "athens", role: "follower", term: 1 },
      { event: "f", cluster: "greece", node: "sparta", role: "leader" },
      { event: "g", cluster: "greece", node: "unset" },
    ]);
  });

  it("keeps fields named time, level or event from hiding the event's own", () => {
    const { logger, records } = capture();
    logger.warn("real", { time: 1, level: "fake", event: "fake" });
    expect(records()[0]).toMatchObject({
      level: "warn",
      event: "real",
      "field.time": 1,
      "field.level": "fake",
      "field.event": "fake",
    });
  });

  it("serialises hostile values without throwing", () => {
    const { logger, records } = capture();
    const circular: Record<string, unknown> = { name: "loop" };
    circular.self = circular;
    const shared = { value: 1 };
    const cause = new Error("disk on fire");
    const ioError = new IOError("write", "wal/a.log", "failed", "EIO", { cause });
    const throwingGetter = {
      ok: 1,
      get bad(): never {
        throw new Error("getter exploded");
      },
    };
    const hostileProxy = new Proxy(
      {},
      {
        ownKeys: () => {
          throw new Error("no keys for you");
        },
      },
    );
    const badToJson = {
      toJSON: () => {
        throw new Error("toJSON exploded");
      },
    };
    logger.error("hostile", {
      bigint: 12345678901234567890n,
      nan: Number.NaN,
      infinity: Number.NEGATIVE_INFINITY,
      circular,
      shared: [shared, shared],
      error: ioError,
      bytes: new Uint8Array(100).fill(0xab),
      small: Uint8Array.of(1, 2, 255),
      buffer: Buffer.from("hi"),
      date: new Date(0),
      invalidDate: new Date(Number.NaN),
      map: new Map<unknown, unknown>([["a", 1n]]),
      set: new Set([1, 2]),
      fn: function namedFunction() {
        return undefined;
      },
      symbol: Symbol("s"),
      undefinedValue: undefined,
      nullValue: null,
      throwingGetter,
      hostileProxy,
      badToJson,
      nullPrototype: Object.assign(Object.create(null) as object, { x: 1 }),
    });
    const [record] = records();
    expect(record).toMatchObject({
      bigint: "12345678901234567890",
      nan: "NaN",
      infinity: "-Infinity",
      circular: { name: "loop", self: "[Circular]" },
      shared: [{ value: 1 }, { value: 1 }],
      error: {
        name: "IOError",
        message: ioError.message,
        code: "IO",
        failure: "failed",
        operation: "write",
        path: "wal/a.log",
        cause: { name: "Error", message: "disk on fire" },
      },
      small: "Uint8Array(3) 0102ff",
      buffer: "Buffer(2) 6869",
      date: "1970-01-01T00:00:00.000Z",
      invalidDate: "Invalid Date",
      map: [["a", "1"]],
      set: [1, 2],
      fn: "[Function namedFunction]",
      symbol: "Symbol(s)",
      nullValue: null,
      throwingGetter: { ok: 1, bad: "[Unserializable: getter exploded]" },
      badToJson: "[Unserializable: toJSON exploded]",
      nullPrototype: { x: 1 },
    });
    expect(record?.bytes).toBe(`Uint8Array(100) ${"ab".repeat(32)}…`);
    expect(typeof (record?.error as { stack?: unknown }).stack).toBe("string");
    expect(record?.hostileProxy).toEqual({});
    expect(record && "undefinedValue" in record).toBe(false);
  });

  it("bounds depth and container sizes", () => {
    const lines: string[] = [];
    const logger = createJsonLogger({
      write: (line) => lines.push(line),
      depthMax: 2,
      itemsMax: 3,
    });
    logger.info("big", {
      deep: { a: { b: { c: 1 } } },
      list: [1, 2, 3, 4, 5],
      set: new Set([1, 2, 3, 4]),
      wide: { a: 1, b: 2, c: 3, d: 4, e: 5 },
    });
    expect(JSON.parse(lines[0] ?? "")).toMatchObject({
      deep: { a: { b: "[Object]" } },
      list: [1, 2, 3, "[2 more]"],
      set: [1, 2, 3, "[1 more]"],
      wide: { a: 1, b: 2, c: 3, "[more keys]": 2 },
    });
  });

  it("never throws, even when writing fails", () => {
    const logger = createJsonLogger({
      write: () => {
        throw new Error("stream closed");
      },
    });
    expect(() => logger.error("lost")).not.toThrow();
  });

  it("writes to stderr by default", () => {
    const written: (string | Uint8Array)[] = [];
    const spy = vi
      .spyOn(process.stderr, "write")
      .mockImplementation((chunk) => written.push(chunk) > 0);
    try {
      createJsonLogger().info("to.stderr");
    } finally {
      spy.mockRestore();
    }
    expect(written).toHaveLength(1);
    expect(JSON.parse(String(written[0]))).toMatchObject({ event: "to.stderr" });
  });

  it("rejects bad options", () => {
    for (const options of [
      { level: "loud" as LogLevel },
      { write: "stderr" as unknown as (line: string) => void },
      { fields: null as unknown as Record<string, unknown> },
      { depthMax: 0 },
      { itemsMax: 1.5 },
    ]) {
      expect(() => createJsonLogger(options)).toThrow(InvalidArgumentError);
    }
  });
});
