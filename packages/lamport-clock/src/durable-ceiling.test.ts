import {
  ClosedError,
  CorruptionError,
  InvalidArgumentError,
  IOError,
  type Env,
  type LogFields,
  type Logger,
} from "@pods/core-interfaces";
import { Simulation } from "@pods/simulation";
import { describe, expect, it } from "vitest";
import { DurableCeiling, type DurableCeilingOptions } from "./durable-ceiling.ts";

/** One simulated node whose program is its env, and a way to settle promises in virtual time. */
async function oneNode() {
  const sim = new Simulation({ seed: 5 });
  const node = sim.addNode("athens", { boot: ({ env }): Env => env });
  await node.ready();
  const settle = async <T>(work: Promise<T>): Promise<T | Error> => {
    const [result] = await sim.runUntilSettled([
      work.then(
        (value) => value,
        (error: unknown) => (error instanceof Error ? error : new Error(String(error))),
      ),
    ]);
    return result;
  };
  return { node, settle };
}

function loggerInto(errors: { event: string; fields: LogFields | undefined }[]): Logger {
  const logger: Logger = {
    debug: () => undefined,
    info: () => undefined,
    warn: () => undefined,
    error: (event, fields) => errors.push({ event, fields }),
    child: () => logger,
  };
  return logger;
}

function options(env: Env, overrides: Partial<DurableCeilingOptions> = {}): DurableCeilingOptions {
  return {
    disk: env.disk,
    path: "state/counter.ceiling",
    magic: "TCCF",
    description: "the test counter's ceiling",
    repairAdvice: "restore it from a backup",
    target: () => 100,
    failureEvent: "test.persist-failed",
    ...overrides,
  };
}

describe("DurableCeiling", () => {
  it("starts empty, keeps what it raised across a restart, and never falls", async () => {
    const { node, settle } = await oneNode();
    const raised: number[] = [];
    const first = (await settle(
      DurableCeiling.open(options(node.env, { onRaised: (value) => raised.push(value) })),
    )) as DurableCeiling;
    expect([first.restored, first.value]).toEqual([undefined, 0]);
    await settle(first.raise(40));
    await settle(first.raise(30));
    expect([first.value, first.writes, raised]).toEqual([40, 2, [40, 40]]);
    node.crash();
    await node.restart();
    // Asking for less wrote 40 again: the file never goes below what was durable.
    const second = (await settle(DurableCeiling.open(options(node.env)))) as DurableCeiling;
    expect([second.restored, second.value]).toEqual([40, 40]);
  });

  it("atLeast() starts a background write of target() and resolves once it covers", async () => {
    const { node, settle } = await oneNode();
    let target = 500;
    const ceiling = (await settle(
      DurableCeiling.open(options(node.env, { target: () => target })),
    )) as DurableCeiling;
    expect(await settle(ceiling.atLeast(0))).toBeUndefined();
    const covered = ceiling.atLeast(300);
    target = 700;
    expect(await settle(covered)).toBeUndefined();
    expect(ceiling.value).toBe(500);
    // A waiter the write in flight does not cover starts another write when it lands.
    ceiling.raiseInBackground(600);
    const later = ceiling.atLeast(650);
    expect(await settle(later)).toBeUndefined();
    expect([ceiling.value, ceiling.writes]).toEqual([700, 3]);
  });

  it("rejects waiters and logs when a write fails, and succeeds when asked again", async () => {
    const { node, settle } = await oneNode();
    const errors: { event: string; fields: LogFields | undefined }[] = [];
    const ceiling = (await settle(
      DurableCeiling.open(options(node.env, { logger: loggerInto(errors) })),
    )) as DurableCeiling;
    node.disk.failNext("sync");
    expect(await settle(ceiling.atLeast(50))).toBeInstanceOf(IOError);
    expect([ceiling.failures, errors.map((error) => error.event)]).toEqual([
      1,
      ["test.persist-failed"],
    ]);
    expect(await settle(ceiling.atLeast(50))).toBeUndefined();
    expect(ceiling.value).toBe(100);
  });

  it("after close() starts no write and refuses new waiters", async () => {
    const { node, settle } = await oneNode();
    const ceiling = (await settle(DurableCeiling.open(options(node.env)))) as DurableCeiling;
    ceiling.raiseInBackground(10);
    await settle(ceiling.close());
    expect(ceiling.value).toBe(10);
    ceiling.raiseInBackground(20);
    expect(await settle(ceiling.atLeast(20))).toBeInstanceOf(ClosedError);
    expect(ceiling.writes).toBe(1);
  });

  it("refuses a damaged file with the caller's advice, and bad options", async () => {
    const { node, settle } = await oneNode();
    const ceiling = (await settle(DurableCeiling.open(options(node.env)))) as DurableCeiling;
    await settle(ceiling.raise(7));
    node.disk.flipBit("state/counter.ceiling", 6, 0);
    const opened = await settle(DurableCeiling.open(options(node.env)));
    expect(opened).toBeInstanceOf(CorruptionError);
    expect((opened as Error).message).toMatch(
      /the test counter's ceiling is damaged \(checksum mismatch\); restore it from a backup/,
    );
    const otherMagic = await settle(DurableCeiling.open(options(node.env, { magic: "XXXX" })));
    expect((otherMagic as Error).message).toMatch(/expected 20 bytes starting "XXXX"/);
    for (const bad of [{ magic: "TOOLONG" }, { path: "" }]) {
      expect(await settle(DurableCeiling.open(options(node.env, bad)))).toBeInstanceOf(
        InvalidArgumentError,
      );
    }
  });
});
