import type { Entry } from "./entry.ts";

/**
 * The requests of an ordered stream waiting to be sent again, kept in sequence order so that a
 * resend always starts from the first unacknowledged request.
 *
 * @internal
 */
export class ResendQueue<M> {
  #entries: Entry<M>[] = [];

  /** Requests waiting. */
  get length(): number {
    return this.#entries.length;
  }

  /** Adds `entry` in sequence order. */
  insert(entry: Entry<M>): void {
    const at = this.#entries.findIndex((other) => other.sequence > entry.sequence);
    this.#entries.splice(at < 0 ? this.#entries.length : at, 0, entry);
  }

  /** Removes and returns the request with the lowest sequence number. */
  shift(): Entry<M> | undefined {
    return this.#entries.shift();
  }

  /** Whether some waiting request satisfies `predicate`. */
  some(predicate: (entry: Entry<M>) => boolean): boolean {
    return this.#entries.some(predicate);
  }

  /** The earliest deadline of the waiting requests (Infinity when none). */
  earliestDeadlineMs(): number {
    let earliest = Infinity;
    for (const entry of this.#entries) earliest = Math.min(earliest, entry.deadlineMs);
    return earliest;
  }

  /** Removes and returns the requests whose deadline is at or before `nowMs`. */
  takeDue(nowMs: number): Entry<M>[] {
    const due = this.#entries.filter((entry) => entry.deadlineMs <= nowMs);
    if (due.length > 0) this.#entries = this.#entries.filter((entry) => entry.deadlineMs > nowMs);
    return due;
  }

  /** Removes and returns every waiting request. */
  takeAll(): Entry<M>[] {
    const all = this.#entries;
    this.#entries = [];
    return all;
  }
}
