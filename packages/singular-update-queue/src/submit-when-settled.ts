/** Anything items can be submitted to: a `SingularUpdateQueue` or a wrapper of one. */
export interface Submitter<Req, Res> {
  /** Submits `request` and returns a promise for its result. */
  submit(request: Req): Promise<Res>;
}

/** How side work ended: its value, or the error it failed with. */
export type Outcome<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: unknown };

/**
 * Chains side work back into a queue: waits for `work` outside any worker, turns its outcome
 * (value or error) into a request with `toRequest`, and submits that to `target` — this queue or
 * another. State changes that depend on the side work so happen in the target's handler, in
 * order with everything else, never in a callback. Call it from a handler without awaiting it
 * (awaiting a submit to the handler's own queue would deadlock).
 *
 * @returns the target's result for the submitted request; rejects as `target.submit` does, or
 *   with the error `toRequest` throws.
 */
export async function submitWhenSettled<T, Req, Res>(
  target: Submitter<Req, Res>,
  work: PromiseLike<T>,
  toRequest: (outcome: Outcome<T>) => Req,
): Promise<Res> {
  let outcome: Outcome<T>;
  try {
    outcome = { ok: true, value: await work };
  } catch (error) {
    outcome = { ok: false, error };
  }
  return target.submit(toRequest(outcome));
}
