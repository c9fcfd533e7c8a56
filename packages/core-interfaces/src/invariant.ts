import { InvariantError } from "./errors.ts";

/**
 * Asserts an internal assumption. Use it for programmer errors only; bad input from users, disks
 * or the network gets a typed error instead.
 *
 * @param condition - what must hold.
 * @param message - the assumption, or a function building it (called only on failure).
 * @throws {@link InvariantError} when `condition` is falsy.
 */
export function invariant(condition: unknown, message: string | (() => string)): asserts condition {
  if (!condition) {
    throw new InvariantError(typeof message === "string" ? message : message());
  }
}
