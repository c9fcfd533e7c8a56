import { InvalidArgumentError } from "@pods/core-interfaces";

/** Checks an optional option that is a finite number of ms ≥ `minimum`; returns it or `fallback`. */
export function msOption(
  value: number | undefined,
  fallback: number,
  name: string,
  minimum = 0,
): number {
  return value === undefined ? fallback : requiredMs(value, name, minimum);
}

/** Checks a value that must be a finite number of ms ≥ `minimum`, and returns it. */
export function requiredMs(value: number, name: string, minimum = 0): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < minimum) {
    throw new InvalidArgumentError(
      `${name} must be a finite number of milliseconds >= ${minimum}, got ${String(value)}.`,
    );
  }
  return value;
}

/** Checks an optional option that is a positive safe integer; returns it or `fallback`. */
export function countOption(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new InvalidArgumentError(`${name} must be a positive integer, got ${String(value)}.`);
  }
  return value;
}

/** Checks that `value` is an object with a method `method`, for ports and collaborators. */
export function requireMethod(value: unknown, method: string, what: string): void {
  if (
    typeof value !== "object" ||
    value === null ||
    typeof (value as Record<string, unknown>)[method] !== "function"
  ) {
    throw new InvalidArgumentError(`${what} is missing: pass an object with ${method}().`);
  }
}
