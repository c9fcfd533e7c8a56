import { InvalidArgumentError } from "@pods/core-interfaces";

const shownCharsMax = 60;

/** Renders a value found in a history for an error message, shortened if long. */
export function show(value: unknown): string {
  if (value === undefined) return "missing";
  let text: string;
  try {
    text = JSON.stringify(value) ?? `a ${typeof value}`;
  } catch {
    text = `a ${typeof value} that is not JSON`;
  }
  return text.length > shownCharsMax ? `${text.slice(0, shownCharsMax - 1)}…` : text;
}

/**
 * Throws an {@link InvalidArgumentError} saying that `where` holds `value` instead of what is
 * `expected`, and how to fix it.
 */
export function rejectValue(where: string, expected: string, value: unknown): never {
  throw new InvalidArgumentError(
    `${where} must be ${expected}, but it is ${show(value)}; fix the history (see the ` +
      "@pods/lincheck README for the format).",
  );
}

/** A plain object (not null, not an array), as a record of unknown fields. */
export function expectObject(value: unknown, where: string): Readonly<Record<string, unknown>> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    rejectValue(where, "an object", value);
  }
  return value as Readonly<Record<string, unknown>>;
}

/** A safe integer (a JSON number without fraction, within ±2^53). */
export function expectInteger(value: unknown, where: string): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value)) {
    rejectValue(where, "an integer", value);
  }
  return value;
}

/** A string. */
export function expectString(value: unknown, where: string): string {
  if (typeof value !== "string") rejectValue(where, "a string", value);
  return value;
}

/** A boolean. */
export function expectBoolean(value: unknown, where: string): boolean {
  if (typeof value !== "boolean") rejectValue(where, "true or false", value);
  return value;
}

/** One of the given strings. */
export function expectOneOf<const T extends string>(
  value: unknown,
  choices: readonly T[],
  where: string,
): T {
  if (typeof value !== "string" || !(choices as readonly string[]).includes(value)) {
    rejectValue(where, `one of ${choices.map((choice) => `"${choice}"`).join(", ")}`, value);
  }
  return value as T;
}
