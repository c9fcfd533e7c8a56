import { CompactedError, InvalidArgumentError } from "@pods/core-interfaces";
import { runSeeds, seedsFromEnv } from "@pods/simulation";
import { expect, it } from "vitest";
import { SegmentedLog, type LogRecord } from "../src/index.ts";
import { bodyOf, inSimulation, makeRecords, text } from "./harness.ts";

// Readers racing a reset or a truncateFrom, over many seeds, with slowed-down removals (1–1.5 ms
// each) so that reads fall inside the change: `firstIndex`, `lastIndex` and `segments()` describe
// the log before the change or after it, never anything else and never a TypeError; reads return
// verified records of one of the two logs or a typed error about the range (CompactedError,
// InvalidArgumentError past the end) — never a CorruptionError, an IOError or a TypeError.

/** The indexes a log holds: `firstIndex` … `lastIndex`. */
interface Shape {
  readonly firstIndex: number;
  readonly lastIndex: number;
}

function describeShape(shape: Shape): string {
  return `${shape.firstIndex}..${shape.lastIndex}`;
}

it("readers see the log before or after a reset or truncateFrom", async () => {
  await runSeeds(
    seedsFromEnv({ defaultCount: 40 }),
    async (seed) => {
      await inSimulation(
        seed,
        async ({ sim, env }) => {
          const random = sim.random;
          const bodyBytes = random.int(0, 60);
          const options = {
            segmentRecordsMax: random.int(1, 5),
            readHandlesMax: random.int(1, 4),
            readChunkBytes: 64 + random.int(0, 200),
          };
          const log = await SegmentedLog.open(env().disk, options);
          const count = random.int(5, 30);
          await log.append(makeRecords(1, count, { bodyBytes }));
          await log.sync();

          const before: Shape = { firstIndex: 1, lastIndex: count };
          const change = random.chance(0.5)
            ? { kind: "reset" as const, at: count + random.int(-3, 5) }
            : { kind: "truncateFrom" as const, at: random.int(1, count + 1) };
          const startIndex = Math.max(1, change.at);
          const after: Shape =
            change.kind === "reset"
              ? { firstIndex: startIndex, lastIndex: startIndex - 1 }
              : { firstIndex: 1, lastIndex: change.at - 1 };
          const shapes = [describeShape(before), describeShape(after)];
          const problems: string[] = [];
          let done = false;

          /** Checks records read from `from` on: a run of verified records of one of the logs. */
          const checkRun = (from: number, records: readonly LogRecord[]): void => {
            records.forEach((record, at) => {
              if (record.index !== from + at) problems.push(`read ${from}: got ${record.index}`);
              else if (text(record.body) !== text(bodyOf(record.index, bodyBytes)))
                problems.push(`record ${record.index} read back wrong`);
            });
            const last = from + records.length - 1;
            const inBefore = from >= before.firstIndex && last <= before.lastIndex;
            const inAfter = from >= after.firstIndex && last <= after.lastIndex;
            if (records.length > 0 && !inBefore && !inAfter)
              problems.push(`read ${from}..${last}: in neither log`);
          };
          const checkError = (what: string, error: unknown): void => {
            if (!(error instanceof CompactedError || error instanceof InvalidArgumentError))
              problems.push(`${what}: ${String(error)}`);
          };

          const reader = async (name: string): Promise<void> => {
            while (!done) {
              try {
                const finished = done;
                const shape = describeShape(log);
                const segments = log.segments();
                const segmentsShape = describeShape({
                  firstIndex: segments[0]!.baseIndex,
                  lastIndex: segments.at(-1)!.lastIndex,
                });
                if (!shapes.includes(shape) || (finished && shape !== shapes[1]))
                  problems.push(`${name} saw the log as ${shape}`);
                if (!shapes.includes(segmentsShape))
                  problems.push(`${name} saw segments covering ${segmentsShape}`);
              } catch (error) {
                problems.push(`${name} reading the log's shape: ${String(error)}`);
              }
              const index = random.int(1, count + 2);
              const choice = random.int(0, 3);
              try {
                if (choice === 0) {
                  checkRun(index, [await log.read(index)]);
                } else if (choice === 1) {
                  checkRun(index, await log.readFrom(index, random.int(1, 10)));
                } else {
                  const records: LogRecord[] = [];
                  for await (const record of log.records(index)) records.push(record);
                  checkRun(index, records);
                }
              } catch (error) {
                checkError(`${name} reading from ${index}`, error);
              }
              await sim.sleep(random.int(1, 40) / 100);
            }
          };
          const readers = ["r1", "r2", "r3"].map((name) => reader(name));
          await sim.sleep(random.int(0, 100) / 100);
          if (change.kind === "reset") await log.reset(startIndex, 3);
          else await log.truncateFrom(change.at);
          await sim.sleep(1);
          done = true;
          await Promise.all(readers);
          await log.close();

          const reopened = await SegmentedLog.open(env().disk, options);
          sim.check("readers saw one log or the other", () => {
            expect(problems).toEqual([]);
            expect(describeShape(reopened)).toBe(describeShape(after));
          });
        },
        { metadataLatencyMs: 1 },
      );
    },
    { file: import.meta.url },
  );
}, 120_000);
