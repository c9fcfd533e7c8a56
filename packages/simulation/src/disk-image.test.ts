import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ByteImage, Inode, type FileChange } from "./disk-image.ts";
import { SeededRandom } from "./seeded-random.ts";

const sectorBytes = 16;

const changeArbitrary: fc.Arbitrary<FileChange | "sync"> = fc.oneof(
  fc.record({
    kind: fc.constant("write" as const),
    offset: fc.integer({ min: 0, max: 80 }),
    data: fc.uint8Array({ minLength: 1, maxLength: 48 }),
  }),
  fc.record({ kind: fc.constant("truncate" as const), size: fc.integer({ min: 0, max: 100 }) }),
  fc.constant("sync" as const),
);

function applyAll(base: Uint8Array, changes: readonly FileChange[]): Uint8Array {
  const image = new ByteImage(base.slice());
  for (const change of changes) {
    if (change.kind === "write") image.write(change.offset, change.data);
    else image.truncate(change.size);
  }
  return image.snapshot();
}

/** Every content a "prefix" crash may leave: k changes kept, maybe the next write torn. */
function allowedAfterPrefixCrash(base: Uint8Array, pending: readonly FileChange[]): Uint8Array[] {
  const allowed: Uint8Array[] = [];
  for (let kept = 0; kept <= pending.length; kept++) {
    const prefix = pending.slice(0, kept);
    allowed.push(applyAll(base, prefix));
    const next = pending[kept];
    if (next?.kind !== "write") continue;
    const end = next.offset + next.data.length;
    for (
      let cut = (Math.floor(next.offset / sectorBytes) + 1) * sectorBytes;
      cut < end;
      cut += sectorBytes
    ) {
      const torn: FileChange = { ...next, data: next.data.subarray(0, cut - next.offset) };
      allowed.push(applyAll(base, [...prefix, torn]));
    }
  }
  return allowed;
}

function run(steps: readonly (FileChange | "sync")[]): {
  inode: Inode;
  durable: Uint8Array;
  pending: FileChange[];
} {
  const inode = new Inode();
  let durable: Uint8Array = new Uint8Array(0);
  let pending: FileChange[] = [];
  for (const step of steps) {
    if (step === "sync") {
      inode.syncThrough(inode.lastSeq);
      durable = applyAll(durable, pending);
      pending = [];
    } else {
      inode.apply(step);
      pending.push(step);
    }
  }
  return { inode, durable, pending };
}

describe("ByteImage", () => {
  it("writes past the end fill with zeros, truncation cuts or zero-extends, reads copy", () => {
    const image = new ByteImage();
    image.write(3, Uint8Array.of(1, 2));
    expect(image.snapshot()).toEqual(Uint8Array.of(0, 0, 0, 1, 2));
    image.truncate(2);
    image.truncate(4);
    expect(image.snapshot()).toEqual(Uint8Array.of(0, 0, 0, 0));
    const read = image.read(0, 10);
    read[0] = 9;
    expect(image.read(0, 1)).toEqual(Uint8Array.of(0));
    expect(image.read(10, 5)).toEqual(new Uint8Array(0));
  });
});

describe("Inode durability", () => {
  it("reads see every completed change; the durable image only synced ones", () => {
    fc.assert(
      fc.property(fc.array(changeArbitrary, { maxLength: 30 }), (steps) => {
        const { inode, durable, pending } = run(steps);
        expect(inode.current.snapshot()).toEqual(applyAll(durable, pending));
        expect(inode.durable.snapshot()).toEqual(durable);
        expect(inode.pendingCount).toBe(pending.length);
      }),
    );
  });

  it("a sync covers only the changes completed before it was called", () => {
    const inode = new Inode();
    inode.apply({ kind: "write", offset: 0, data: Uint8Array.of(1) });
    const coveredThrough = inode.lastSeq;
    inode.apply({ kind: "write", offset: 1, data: Uint8Array.of(2) });
    expect(inode.syncThrough(coveredThrough)).toEqual({ changes: 1, bytes: 1 });
    expect(inode.durable.snapshot()).toEqual(Uint8Array.of(1));
    expect(inode.pendingCount).toBe(1);
  });

  it("a prefix crash keeps the durable content plus some changes in order, the next maybe torn at a sector", () => {
    fc.assert(
      fc.property(fc.array(changeArbitrary, { maxLength: 20 }), fc.nat(), (steps, seed) => {
        const { inode, durable, pending } = run(steps);
        inode.crash("prefix", sectorBytes, new SeededRandom(seed));
        const after = inode.current.snapshot();
        const allowed = allowedAfterPrefixCrash(durable, pending);
        expect(
          allowed.some(
            (candidate) =>
              candidate.length === after.length &&
              candidate.every((byte, index) => byte === after[index]),
          ),
        ).toBe(true);
        expect(inode.durable.snapshot()).toEqual(after);
        expect(inode.pendingCount).toBe(0);
      }),
    );
  });

  it("an any-order crash never changes bytes that no unsynced change touched", () => {
    fc.assert(
      fc.property(fc.array(changeArbitrary, { maxLength: 20 }), fc.nat(), (steps, seed) => {
        const { inode, durable, pending } = run(steps);
        inode.crash("any", sectorBytes, new SeededRandom(seed));
        if (pending.some((change) => change.kind === "truncate")) return;
        const after = inode.current.snapshot();
        const touched = (index: number): boolean =>
          pending.some(
            (change) =>
              change.kind === "write" &&
              index >= change.offset &&
              index < change.offset + change.data.length,
          );
        expect(after.length).toBeGreaterThanOrEqual(durable.length);
        durable.forEach((byte, index) => {
          if (!touched(index)) expect(after[index]).toBe(byte);
        });
      }),
    );
  });

  it("only the 'any' mode lets a later write survive while an earlier one is lost", () => {
    const outcomes = (mode: "prefix" | "any"): boolean => {
      for (let seed = 0; seed < 200; seed++) {
        const inode = new Inode();
        inode.apply({ kind: "write", offset: 0, data: Uint8Array.of(1) });
        inode.apply({ kind: "write", offset: 1, data: Uint8Array.of(2) });
        inode.crash(mode, sectorBytes, new SeededRandom(seed));
        const after = inode.current.snapshot();
        if (after[0] === 0 && after[1] === 2) return true;
      }
      return false;
    };
    expect(outcomes("prefix")).toBe(false);
    expect(outcomes("any")).toBe(true);
  });
});
