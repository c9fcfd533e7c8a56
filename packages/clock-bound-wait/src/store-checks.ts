import { InvalidArgumentError } from "@pods/core-interfaces";

/**
 * Something that decides whether this node may serve: `check()` returns when it may and throws
 * (typically `ClockUnsafeError`) when it may not. {@link ClockFence} is one.
 */
export interface ClockCheck {
  /** Returns when the node may serve; throws the reason it may not. */
  check(): void;
}

/** Checks a key before anything is registered or waited for (the store checks again). */
export function checkKey(store: { readonly keyLengthMax: number }, key: string): void {
  if (typeof key !== "string") {
    throw new InvalidArgumentError(`The key must be a string, got ${typeof key}.`);
  }
  if (key.length > store.keyLengthMax) {
    throw new InvalidArgumentError(
      `The key is ${key.length} characters long, more than the store's keyLengthMax ` +
        `(${store.keyLengthMax}); use a shorter key.`,
    );
  }
}

/** Checks the bounds and limit of a range read before anything is waited for. */
export function checkRange(
  start: string,
  end: string | undefined,
  limit: number | undefined,
): void {
  if (typeof start !== "string" || (end !== undefined && typeof end !== "string")) {
    throw new InvalidArgumentError("A range needs a string start and a string (or undefined) end.");
  }
  if (limit !== undefined && (!Number.isSafeInteger(limit) || limit < 1)) {
    throw new InvalidArgumentError(`limit must be a positive integer, got ${String(limit)}.`);
  }
}
