/** A promise's outcome as a value, so a test can drive the simulation until it settles either way. */
export type Outcome<T> = { readonly value: T } | { readonly error: unknown };

/** `promise`'s outcome, never rejecting. */
export function settle<T>(promise: Promise<T>): Promise<Outcome<T>> {
  return promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
}

/** The value of a fulfilled outcome; throws the error of a rejected one. */
export function valueOf<T>(outcome: Outcome<T>): T {
  if ("error" in outcome) throw outcome.error;
  return outcome.value;
}

/** The error of a rejected outcome; throws when it was fulfilled. */
export function errorOf<T>(outcome: Outcome<T>): unknown {
  if ("error" in outcome) return outcome.error;
  throw new Error(`expected a failure, got ${JSON.stringify(outcome.value)}`);
}
