import { describe, expect, it } from "vitest";
import { entryTypes, type LogEntry } from "./entry.ts";
import { emptyWrite, isEmptyWrite, isRoutine } from "./pending-write.ts";
import type { Ready } from "./ready.ts";

const entry = (index: number, type: LogEntry["type"] = entryTypes.data): LogEntry => ({
  index,
  generation: 1,
  type,
  clusterTimeMs: 0,
  payload: new Uint8Array(1),
});

const ready = (fields: Partial<Ready>): Ready => ({
  messages: [],
  logChanges: [],
  hardStateChanged: false,
  messagesAfterPersist: [],
  committedEntries: [],
  readStates: [],
  snapshotChunks: [],
  restore: undefined,
  snapshotSends: [],
  ...fields,
});

describe("isRoutine", () => {
  it("lets appends, acknowledgements and committed commands overlap the write in flight", () => {
    expect(
      isRoutine(
        ready({
          logChanges: [{ kind: "append", entries: [entry(3)] }],
          hardStateChanged: true,
          committedEntries: [entry(1), entry(2, entryTypes.noop)],
        }),
      ),
    ).toBe(true);
  });

  it("holds back truncations, resets, snapshots and membership changes", () => {
    expect(isRoutine(ready({ logChanges: [{ kind: "truncate", from: 2 }] }))).toBe(false);
    expect(isRoutine(ready({ logChanges: [{ kind: "reset", index: 9, generation: 2 }] }))).toBe(
      false,
    );
    expect(isRoutine(ready({ restore: 9 }))).toBe(false);
    expect(isRoutine(ready({ snapshotSends: [{ to: "byzantium", index: 9, offset: 0 }] }))).toBe(
      false,
    );
    expect(isRoutine(ready({ committedEntries: [entry(4, entryTypes.configuration)] }))).toBe(
      false,
    );
  });
});

describe("PendingWrite", () => {
  it("is empty until it holds a change, a generation flush or a message", () => {
    const write = emptyWrite();
    expect(isEmptyWrite(write)).toBe(true);
    write.hardStateChanged = true;
    expect(isEmptyWrite(write)).toBe(false);
  });
});
