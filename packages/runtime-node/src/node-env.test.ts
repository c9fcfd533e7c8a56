import { statSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  delay,
  InvalidArgumentError,
  IOError,
  type LogFields,
  type Logger,
} from "@pods/core-interfaces";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createNodeEnv, type NodeEnvOptions } from "./node-env.ts";

let base: string;

beforeEach(async () => {
  base = await mkdtemp(join(tmpdir(), "pods-node-env-"));
});

afterEach(async () => {
  await rm(base, { recursive: true, force: true });
});

/** A logger that records what it is given, with the fields of its children. */
function recordingLogger(
  events: { event: string; fields: LogFields }[],
  own: LogFields = {},
): Logger {
  const log = (event: string, fields: LogFields = {}): void => {
    events.push({ event, fields: { ...own, ...fields } });
  };
  return {
    debug: log,
    info: log,
    warn: log,
    error: log,
    child: (fields) => recordingLogger(events, { ...own, ...fields }),
  };
}

describe("createNodeEnv", () => {
  it("creates the data directory with its parents and roots the disk there", async () => {
    const dataDir = join(base, "cluster", "athens");
    const env = await createNodeEnv({ dataDir, logger: recordingLogger([]) });
    expect(statSync(dataDir).isDirectory()).toBe(true);
    const file = await env.disk.open("state", { create: true });
    await file.write(0, new TextEncoder().encode("term=3"));
    await file.sync();
    await file.close();
    expect(await readFile(join(dataDir, "state"), "utf8")).toBe("term=3");
    await createNodeEnv({ dataDir, logger: recordingLogger([]) });
    expect(await env.disk.list("")).toEqual(["state"]);
  });

  it("gives working clock, scheduler and random", async () => {
    const env = await createNodeEnv({ dataDir: base, logger: recordingLogger([]) });
    const before = env.clock.monotonicMs();
    await delay(env.scheduler, 2);
    expect(env.clock.monotonicMs()).toBeGreaterThanOrEqual(before + 2);
    expect(env.clock.wallMs()).toBeGreaterThan(Date.UTC(2020, 0));
    const value = env.random.int(5, 10);
    expect(value).toBeGreaterThanOrEqual(5);
    expect(value).toBeLessThan(10);
  });

  it("adds logFields to the logger given", async () => {
    const events: { event: string; fields: LogFields }[] = [];
    const env = await createNodeEnv({
      dataDir: base,
      logger: recordingLogger(events),
      logFields: { node: "athens" },
    });
    env.logger.info("started", { term: 1 });
    expect(events).toEqual([{ event: "started", fields: { node: "athens", term: 1 } }]);
  });

  it("logs JSON lines to stderr at logLevel by default", async () => {
    const written: string[] = [];
    const spy = vi
      .spyOn(process.stderr, "write")
      .mockImplementation((chunk) => written.push(String(chunk)) > 0);
    try {
      const env = await createNodeEnv({
        dataDir: base,
        logLevel: "warn",
        logFields: { node: "a" },
      });
      env.logger.info("hidden");
      env.logger.warn("shown");
    } finally {
      spy.mockRestore();
    }
    expect(written.map((line) => JSON.parse(line) as unknown)).toMatchObject([
      { level: "warn", event: "shown", node: "a" },
    ]);
  });

  it("rejects bad options with InvalidArgumentError", async () => {
    const logger = recordingLogger([]);
    const bad: unknown[] = [
      undefined,
      {},
      { dataDir: "" },
      { dataDir: "a\0b" },
      { dataDir: base, logLevel: "verbose" },
      { dataDir: base, logger, logLevel: "info" },
      { dataDir: base, logger: { info: () => undefined } },
      { dataDir: base, logFields: "node=a" },
    ];
    for (const options of bad) {
      await expect(createNodeEnv(options as NodeEnvOptions)).rejects.toBeInstanceOf(
        InvalidArgumentError,
      );
    }
  });

  it("fails with IOError when a file is in the way of the data directory", async () => {
    await writeFile(join(base, "taken"), "x");
    const error = await createNodeEnv({ dataDir: join(base, "taken") }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IOError);
    expect(error).toMatchObject({ failure: "exists" });
    const below = await createNodeEnv({ dataDir: join(base, "taken", "sub") }).catch(
      (e: unknown) => e,
    );
    expect(below).toBeInstanceOf(IOError);
    expect(below).toMatchObject({ failure: "failed", cause: { code: "ENOTDIR" } });
  });
});
