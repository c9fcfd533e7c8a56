import { InvalidArgumentError } from "@pods/core-interfaces";

/** Why a batch was closed. */
export type FlushReason = "count" | "bytes" | "linger" | "explicit" | "close";

/** A closed batch: its items in the order they were added, and their size. */
export interface Batch<T> {
  /** The items, in the order they were added. */
  readonly items: readonly T[];
  /** The batch's size: the fixed `envelopeBytes` plus every item's bytes. */
  readonly bytes: number;
  /** Why it was closed. */
  readonly reason: FlushReason;
}

/** Limits of a {@link BatchAccumulator}. */
export interface BatchLimits {
  /** Bytes of a batch at most (envelope included), unless it holds a single larger item. */
  readonly batchBytesMax: number;
  /** Items in a batch at most. */
  readonly batchCountMax: number;
  /** Bytes every batch takes before its items (a header or envelope). Default 0. */
  readonly envelopeBytes?: number;
  /** The fewest bytes an item can take; a batch with less room than this is full. Default 1. */
  readonly itemBytesMin?: number;
}

/**
 * The pure core of batching, without timers or I/O: items go into an open batch, and `add`
 * returns the batches it closed. The limits are checked before an item is added — when it would
 * take the open batch past `batchBytesMax` or `batchCountMax`, the open batch closes first and the
 * item starts the next one — so no batch exceeds them unless it holds a single larger item. A
 * batch that has reached `batchCountMax`, or has no room left for the smallest item, closes at
 * once. `close` closes the open batch for any other reason (a linger timer, a flush).
 *
 * `RequestBatcher` drives one with a linger timer; a replicated log can drive one to group
 * proposals into appends.
 *
 * @typeParam T - what is batched.
 */
export class BatchAccumulator<T> {
  readonly #bytesMax: number;
  readonly #countMax: number;
  readonly #envelopeBytes: number;
  readonly #itemBytesMin: number;
  #items: T[] = [];
  #bytes: number;

  /**
   * @param limits - see {@link BatchLimits}.
   * @throws InvalidArgumentError for limits that leave no room for an item.
   */
  constructor(limits: BatchLimits) {
    const envelopeBytes = limits.envelopeBytes ?? 0;
    const itemBytesMin = limits.itemBytesMin ?? 1;
    const { batchBytesMax, batchCountMax } = limits;
    if (!Number.isSafeInteger(envelopeBytes) || envelopeBytes < 0) {
      throw new InvalidArgumentError(
        `envelopeBytes must be an integer >= 0, got ${envelopeBytes}.`,
      );
    }
    if (!Number.isSafeInteger(itemBytesMin) || itemBytesMin < 1) {
      throw new InvalidArgumentError(`itemBytesMin must be an integer >= 1, got ${itemBytesMin}.`);
    }
    if (!Number.isSafeInteger(batchBytesMax) || batchBytesMax < envelopeBytes + itemBytesMin) {
      throw new InvalidArgumentError(
        `batchBytesMax must be an integer of at least ${envelopeBytes + itemBytesMin} ` +
          `(the envelope and one item), got ${String(batchBytesMax)}.`,
      );
    }
    if (!Number.isSafeInteger(batchCountMax) || batchCountMax < 1) {
      throw new InvalidArgumentError(
        `batchCountMax must be an integer >= 1, got ${String(batchCountMax)}.`,
      );
    }
    this.#bytesMax = batchBytesMax;
    this.#countMax = batchCountMax;
    this.#envelopeBytes = envelopeBytes;
    this.#itemBytesMin = itemBytesMin;
    this.#bytes = envelopeBytes;
  }

  /** Items in the open batch. */
  get count(): number {
    return this.#items.length;
  }

  /** The open batch's size so far (envelope included). */
  get bytes(): number {
    return this.#bytes;
  }

  /**
   * Adds `item`, of `bytes` bytes, to the open batch.
   *
   * @returns the batches this closed, in order: none, the open batch (the item would have taken
   *   it past a limit), the item's own batch (it is full now), or both.
   * @throws InvalidArgumentError when `bytes` is not an integer of at least `itemBytesMin`.
   */
  add(item: T, bytes: number): Batch<T>[] {
    if (!Number.isSafeInteger(bytes) || bytes < this.#itemBytesMin) {
      throw new InvalidArgumentError(
        `an item takes at least ${this.#itemBytesMin} bytes, got ${String(bytes)}.`,
      );
    }
    const closed: Batch<T>[] = [];
    if (this.#items.length > 0 && this.#bytes + bytes > this.#bytesMax) {
      closed.push(this.#take("bytes"));
    }
    this.#items.push(item);
    this.#bytes += bytes;
    if (this.#items.length >= this.#countMax) closed.push(this.#take("count"));
    else if (this.#bytes + this.#itemBytesMin > this.#bytesMax) closed.push(this.#take("bytes"));
    return closed;
  }

  /** Closes the open batch for `reason`; `undefined` when it is empty. */
  close(reason: FlushReason): Batch<T> | undefined {
    return this.#items.length === 0 ? undefined : this.#take(reason);
  }

  #take(reason: FlushReason): Batch<T> {
    const batch = { items: this.#items, bytes: this.#bytes, reason };
    this.#items = [];
    this.#bytes = this.#envelopeBytes;
    return batch;
  }
}
