import fc from "fast-check";
import { CorruptionError } from "@pods/core-interfaces";
import { describe, expect, it } from "vitest";
import { SegmentedLog } from "./index.ts";
import { decodeRecord, decodeSegmentHeader } from "./record-format.ts";
import { findRecord } from "./segment-scan.ts";
import { inSimulation, makeRecords, text } from "../test/harness.ts";

// Fuzzing the decoders: random bytes, cuts and bit flips give a typed error or a correct result,
// never a wrong record and never an untyped exception.

const path = "wal/wal-00000000000000000001.log";

type Damage =
  | { readonly kind: "flip"; readonly at: number; readonly bit: number }
  | { readonly kind: "cut"; readonly at: number }
  | { readonly kind: "overwrite"; readonly at: number; readonly bytes: Uint8Array };

const damage: fc.Arbitrary<Damage> = fc.oneof(
  fc.record({
    kind: fc.constant("flip" as const),
    at: fc.double({ min: 0, max: 1, noNaN: true }),
    bit: fc.integer({ min: 0, max: 7 }),
  }),
  fc.record({ kind: fc.constant("cut" as const), at: fc.double({ min: 0, max: 1, noNaN: true }) }),
  fc.record({
    kind: fc.constant("overwrite" as const),
    at: fc.double({ min: 0, max: 1, noNaN: true }),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 40 }),
  }),
);

describe("decoding damaged segments", () => {
  it("open returns a verified prefix of the records or a CorruptionError", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 20 }),
        fc.array(damage, { minLength: 1, maxLength: 3 }),
        fc.integer({ min: 0, max: 50 }),
        async (count, damages, bodyBytes) => {
          await inSimulation(1, async ({ env, node }) => {
            const originals = makeRecords(1, count, { bodyBytes });
            const log = await SegmentedLog.open(env().disk);
            await log.append(originals);
            await log.sync();
            await log.close();
            let length = node.disk.readRaw(path).durable.length;
            const file = await env().disk.open(path);
            for (const step of damages) {
              if (length === 0) break;
              const at = Math.min(length - 1, Math.floor(step.at * length));
              if (step.kind === "flip") node.disk.flipBit(path, at, step.bit);
              else if (step.kind === "overwrite")
                node.disk.corrupt(path, at, step.bytes.subarray(0, length - at));
              else {
                await file.truncate(at);
                await file.sync();
                length = at;
              }
            }
            await file.close();
            const seen: number[] = [];
            try {
              const reopened = await SegmentedLog.open(env().disk, {}, (record) => {
                expect(text(record.body)).toBe(
                  text(originals[record.index - 1]!.body as Uint8Array),
                );
                seen.push(record.index);
              });
              const all = await reopened.readFrom(reopened.firstIndex, 100);
              expect(all.map((record) => record.index)).toEqual(seen);
              expect(seen).toEqual(seen.map((_, at) => at + 1));
              for (const record of all)
                expect(text(record.body)).toBe(
                  text(originals[record.index - 1]!.body as Uint8Array),
                );
            } catch (error) {
              if (!(error instanceof CorruptionError)) throw error;
              expect(seen).toEqual(seen.map((_, at) => at + 1));
            }
          });
        },
      ),
      { numRuns: 200 },
    );
  }, 60_000);

  it("record and header decoders accept only what they write", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => {
        const record = decodeRecord(bytes, 0, bytes.length);
        if (typeof record !== "string") {
          expect(Number.isSafeInteger(record.index) && record.index >= 1).toBe(true);
          expect(Number.isSafeInteger(record.generation)).toBe(true);
          expect(Number.isFinite(record.timestampMs)).toBe(true);
          expect(record.body.length).toBe(bytes.length - 24);
        }
        const header = decodeSegmentHeader(bytes);
        if (typeof header !== "string") expect(bytes.length).toBe(24);
        expect(findRecord(bytes, 0, 0, 1024)).toBeUndefined();
      }),
    );
  });
});
