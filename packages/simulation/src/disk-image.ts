import type { SeededRandom } from "./seeded-random.ts";

/** A growable byte array: the content of one version of a file. @internal */
export class ByteImage {
  #bytes: Uint8Array;
  #size: number;

  constructor(bytes: Uint8Array = new Uint8Array(0), size = bytes.length) {
    this.#bytes = bytes;
    this.#size = size;
  }

  get size(): number {
    return this.#size;
  }

  /** A copy of up to `length` bytes at `offset` (fewer at the end of the file). */
  read(offset: number, length: number): Uint8Array {
    const end = Math.min(this.#size, offset + length);
    return end <= offset ? new Uint8Array(0) : this.#bytes.slice(offset, end);
  }

  /** A copy of the whole content. */
  snapshot(): Uint8Array {
    return this.#bytes.slice(0, this.#size);
  }

  /** Writes `data` at `offset`, zero-filling any gap; writing no bytes changes nothing. */
  write(offset: number, data: Uint8Array): void {
    if (data.length === 0) return;
    const end = offset + data.length;
    this.#ensureCapacity(end);
    if (offset > this.#size) this.#bytes.fill(0, this.#size, offset);
    this.#bytes.set(data, offset);
    this.#size = Math.max(this.#size, end);
  }

  truncate(size: number): void {
    if (size > this.#size) {
      this.#ensureCapacity(size);
      this.#bytes.fill(0, this.#size, size);
    }
    this.#size = size;
  }

  /** Changes the byte at `offset` in place (damage at rest); ignored beyond the end. */
  damage(offset: number, change: (byte: number) => number): void {
    if (offset < this.#size) this.#bytes[offset] = change(this.#bytes[offset] ?? 0) & 0xff;
  }

  clone(): ByteImage {
    return new ByteImage(this.#bytes.slice(0, this.#size));
  }

  #ensureCapacity(size: number): void {
    if (size <= this.#bytes.length) return;
    const grown = new Uint8Array(Math.max(size, this.#bytes.length * 2, 64));
    grown.set(this.#bytes.subarray(0, this.#size));
    this.#bytes = grown;
  }
}

/** A change to file data that is not durable until a sync covers it. @internal */
export type FileChange =
  | { readonly kind: "write"; readonly offset: number; readonly data: Uint8Array }
  | { readonly kind: "truncate"; readonly size: number };

/**
 * How a crash treats the changes not yet synced: `"prefix"` keeps a random number of them in
 * order and may tear the next one; `"any"` decides for each independently (out-of-order
 * writeback).
 */
export type CrashMode = "prefix" | "any";

function applyChange(image: ByteImage, change: FileChange): void {
  if (change.kind === "write") image.write(change.offset, change.data);
  else image.truncate(change.size);
}

function changeBytes(change: FileChange): number {
  return change.kind === "write" ? change.data.length : 0;
}

/**
 * A write cut at a random sector boundary strictly inside it, or `undefined` when the write fits in
 * one sector (a sector is written whole or not at all).
 */
function tear(
  change: FileChange,
  sectorBytes: number,
  random: SeededRandom,
): FileChange | undefined {
  if (change.kind !== "write") return undefined;
  const end = change.offset + change.data.length;
  const firstBoundary = (Math.floor(change.offset / sectorBytes) + 1) * sectorBytes;
  if (firstBoundary >= end) return undefined;
  const boundaries = Math.floor((end - 1 - firstBoundary) / sectorBytes) + 1;
  const cut = firstBoundary + random.int(0, boundaries) * sectorBytes;
  return {
    kind: "write",
    offset: change.offset,
    data: change.data.subarray(0, cut - change.offset),
  };
}

/** What a sync made durable. @internal */
export interface SyncResult {
  readonly changes: number;
  readonly bytes: number;
}

/**
 * A file's data (an inode: it outlives renames and removal while handles are open) with its
 * durability state: the durable image a crash falls back to, and the changes completed since,
 * applied to the current image in completion order. @internal
 */
export class Inode {
  #current = new ByteImage();
  #durable = new ByteImage();
  #pending: { readonly seq: number; readonly change: FileChange }[] = [];
  #lastSeq = 0;

  /** The sequence number of the latest completed change (what a sync called now covers). */
  get lastSeq(): number {
    return this.#lastSeq;
  }

  /** How many completed changes are not durable yet. */
  get pendingCount(): number {
    return this.#pending.length;
  }

  /** The content as reads see it (including changes not yet durable). */
  get current(): ByteImage {
    return this.#current;
  }

  /** The content a crash falls back to (before it decides the fate of pending changes). */
  get durable(): ByteImage {
    return this.#durable;
  }

  /** A change completed: it is visible at once and pending until a sync covers it. */
  apply(change: FileChange): void {
    applyChange(this.#current, change);
    this.#pending.push({ seq: ++this.#lastSeq, change });
  }

  /** Makes every change up to `seq` durable. */
  syncThrough(seq: number): SyncResult {
    let changes = 0;
    let bytes = 0;
    while (this.#pending.length > 0 && (this.#pending[0]?.seq ?? Infinity) <= seq) {
      const { change } = this.#pending.shift() as { change: FileChange };
      applyChange(this.#durable, change);
      changes++;
      bytes += changeBytes(change);
    }
    return { changes, bytes };
  }

  /**
   * Power loss: decides which pending changes reached the platter, makes that the content, and
   * returns a description for the trace (or `undefined` when nothing was pending).
   */
  crash(mode: CrashMode, sectorBytes: number, random: SeededRandom): string | undefined {
    const pending = this.#pending.map((entry) => entry.change);
    this.#pending = [];
    if (pending.length === 0) return undefined;
    const outcome: string[] = [];
    if (mode === "prefix") {
      const kept = random.int(0, pending.length + 1);
      for (const change of pending.slice(0, kept)) applyChange(this.#durable, change);
      outcome.push(`kept ${kept} of ${pending.length}`);
      const next = pending[kept];
      const torn = next === undefined ? undefined : tear(next, sectorBytes, random);
      if (torn !== undefined && random.chance(0.5)) {
        applyChange(this.#durable, torn);
        outcome.push(`tore change ${kept + 1} to ${changeBytes(torn)} bytes`);
      }
    } else {
      // Each change independently kept (k), lost (l) or torn to n bytes (tn).
      for (const change of pending) {
        const fate = random.int(0, 3);
        const torn = fate === 2 ? tear(change, sectorBytes, random) : undefined;
        if (fate === 0) applyChange(this.#durable, change);
        if (torn !== undefined) applyChange(this.#durable, torn);
        outcome.push(fate === 0 ? "k" : torn === undefined ? "l" : `t${changeBytes(torn)}`);
      }
    }
    this.#current = this.#durable.clone();
    return outcome.join(" ");
  }
}
