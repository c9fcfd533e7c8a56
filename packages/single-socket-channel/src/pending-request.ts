import type { Cancel, NodeId } from "@pods/core-interfaces";
import type { Connection } from "./connection.ts";

/**
 * A request waiting for its response: `queued` in the peer's send queue, `written` to a connection
 * (and in its `inflight` map), or `settled`.
 *
 * @internal
 */
export interface PendingRequest<M> {
  readonly id: number;
  readonly peer: NodeId;
  state: "queued" | "written" | "settled";
  /** The connection it was written on. */
  connection: Connection<M> | undefined;
  cancelTimeout: Cancel;
  readonly resolve: (response: M) => void;
  readonly reject: (error: Error) => void;
}

/** Settles a pending request once: later calls do nothing. @internal */
export function settle<M>(
  pending: PendingRequest<M>,
  outcome: { readonly response: M } | { readonly error: Error },
): void {
  if (pending.state === "settled") return;
  pending.state = "settled";
  pending.cancelTimeout();
  pending.connection?.inflight.delete(pending.id);
  if ("error" in outcome) pending.reject(outcome.error);
  else pending.resolve(outcome.response);
}
