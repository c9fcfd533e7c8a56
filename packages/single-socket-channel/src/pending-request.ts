import type { Cancel, NodeId } from "@pods/core-interfaces";
import type { Connection } from "./connection.ts";

/**
 * Where {@link ChannelNode.requestWith} reports the outcome of a request: exactly one of its
 * methods is called, exactly once. Either may be called before `requestWith` returns (a dial
 * that fails at once fails the request at once), so keep them short and do not call back into the
 * channel from them; hand the outcome on instead (`request` resolves a promise with it).
 *
 * @typeParam M - the message type.
 */
export interface ResponseReceiver<M> {
  /** The peer's response. */
  response(response: M): void;
  /**
   * The request failed: `RemoteError` (the peer's handler failed), `ConnectionLostError`,
   * `TimeoutError`, or `ClosedError` (see {@link ChannelNode.request} for what each says about
   * the outcome).
   */
  failure(error: Error): void;
}

/** A cancel that has nothing to cancel. @internal */
export const noTimeout: Cancel = () => undefined;

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
  readonly receiver: ResponseReceiver<M>;
}

/** Marks a pending request settled; false when it already was. */
function finish<M>(pending: PendingRequest<M>): boolean {
  if (pending.state === "settled") return false;
  pending.state = "settled";
  pending.cancelTimeout();
  pending.connection?.inflight.delete(pending.id);
  return true;
}

/** Settles a pending request with its response, once: later calls do nothing. @internal */
export function settleWithResponse<M>(pending: PendingRequest<M>, response: M): void {
  if (finish(pending)) pending.receiver.response(response);
}

/** Fails a pending request, once: later calls do nothing. @internal */
export function settleWithError<M>(pending: PendingRequest<M>, error: Error): void {
  if (finish(pending)) pending.receiver.failure(error);
}
