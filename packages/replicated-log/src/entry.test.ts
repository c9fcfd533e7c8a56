import { CorruptionError } from "@pods/core-interfaces";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { entryTypes, logEntryOf, walPayloadOf, type LogEntry } from "./entry.ts";

describe("entry WAL encoding", () => {
  it("round-trips cluster time and payload", () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1e15, noNaN: true }),
        fc.uint8Array({ maxLength: 64 }),
        fc.constantFrom(entryTypes.data, entryTypes.noop, entryTypes.configuration),
        (clusterTimeMs, payload, type) => {
          const entry: LogEntry = { index: 5, generation: 2, type, clusterTimeMs, payload };
          // The log writes the parts back to back and reads them back as one array.
          const [prefix, rest] = walPayloadOf(entry);
          expect(rest).toBe(payload);
          const decoded = logEntryOf({
            index: 5,
            generation: 2,
            type,
            timestampMs: 0,
            payload: Uint8Array.from([...prefix, ...rest]),
          });
          expect(decoded).toEqual(entry);
        },
      ),
    );
  });

  it("refuses a short payload or an unknown type as corruption", () => {
    const base = { index: 1, generation: 1, timestampMs: 0 };
    expect(() => logEntryOf({ ...base, type: 0, payload: new Uint8Array(3) })).toThrow(
      CorruptionError,
    );
    expect(() => logEntryOf({ ...base, type: 9, payload: new Uint8Array(8) })).toThrow(
      /unknown entry type/,
    );
  });
});
