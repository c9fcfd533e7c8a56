import type { HistoryOperation } from "./history.ts";

/**
 * The calls and returns of a history's operations as a doubly linked list sorted by time, with
 * O(1) removal and reinsertion of an operation's events ("dancing links"). At equal times calls
 * come before returns, so intervals are closed: an operation returning at `t` and one called at
 * `t` are concurrent. Open operations (never returned) have a call event only.
 *
 * Slot 0 is the head, slots 1..n the events in time order, slot n + 1 the tail.
 */
export class EventList {
  /** The operation (index) of each slot's event. */
  readonly operationOf: Int32Array;
  /** 1 for a call event, 0 for a return event (and the sentinels). */
  readonly isCall: Uint8Array;
  /** The next slot in the list. */
  readonly next: Int32Array;
  private readonly previous: Int32Array;
  /** For a call slot, the slot of its return, or -1 for an open operation. */
  private readonly match: Int32Array;
  private readonly tail: number;

  /** @param operations - the operations whose events to list. */
  constructor(operations: readonly HistoryOperation<unknown, unknown>[]) {
    const events: { time: number; isCall: boolean; operation: number }[] = [];
    operations.forEach((operation, index) => {
      events.push({ time: operation.call, isCall: true, operation: index });
      if (operation.return !== null) {
        events.push({ time: operation.return, isCall: false, operation: index });
      }
    });
    events.sort(
      (a, b) => a.time - b.time || Number(b.isCall) - Number(a.isCall) || a.operation - b.operation,
    );
    this.tail = events.length + 1;
    const slots = this.tail + 1;
    this.operationOf = new Int32Array(slots);
    this.isCall = new Uint8Array(slots);
    this.match = new Int32Array(slots).fill(-1);
    this.next = new Int32Array(slots);
    this.previous = new Int32Array(slots);
    const callSlot = new Int32Array(operations.length);
    events.forEach((event, position) => {
      const slot = position + 1;
      this.operationOf[slot] = event.operation;
      if (event.isCall) {
        this.isCall[slot] = 1;
        callSlot[event.operation] = slot;
      } else {
        this.match[callSlot[event.operation]!] = slot;
      }
    });
    for (let slot = 0; slot < slots; slot++) {
      this.next[slot] = slot + 1;
      this.previous[slot] = slot - 1;
    }
  }

  /** The first slot after the head. */
  first(): number {
    return this.next[0]!;
  }

  /** Whether `slot` is the tail sentinel. */
  isTail(slot: number): boolean {
    return slot === this.tail;
  }

  /** Removes the call at `slot` and its return from the list. */
  lift(slot: number): void {
    const { next, previous } = this;
    next[previous[slot]!] = next[slot]!;
    previous[next[slot]!] = previous[slot]!;
    const returned = this.match[slot]!;
    if (returned >= 0) {
      next[previous[returned]!] = next[returned]!;
      previous[next[returned]!] = previous[returned]!;
    }
  }

  /** Puts back the call at `slot` and its return; undo lifts in reverse order. */
  unlift(slot: number): void {
    const { next, previous } = this;
    const returned = this.match[slot]!;
    if (returned >= 0) {
      next[previous[returned]!] = returned;
      previous[next[returned]!] = returned;
    }
    next[previous[slot]!] = slot;
    previous[next[slot]!] = slot;
  }
}
