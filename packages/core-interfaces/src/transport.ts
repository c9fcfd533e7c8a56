import type { NodeId } from "./node-id.ts";

/** Receives one message: who sent it and what it is. */
export type MessageHandler<M> = (from: NodeId, message: M) => void;

/**
 * The network port between the nodes of a cluster, carrying messages of type `M` (usually a
 * discriminated union). The real implementation is a TCP channel per pair of nodes; the simulated
 * one loses, delays, duplicates, reorders and partitions on command.
 *
 * Delivery is best effort: a sent message may be lost, delayed, duplicated, or overtaken by a later
 * one. An implementation that promises more (per-peer FIFO order, say) documents it. Protocols
 * recover from loss themselves (retries, heartbeats) and deduplicate what must not apply twice.
 */
export interface Transport<M> {
  /** The id of the node this transport belongs to (the sender of everything it sends). */
  readonly localId: NodeId;
  /**
   * Hands `message` to the network for `to` and returns at once, before delivery.
   *
   * Ownership: the transport may keep `message` until it is delivered; do not mutate it afterwards.
   *
   * @throws {@link UnreachableError} when the transport knows now that `to` cannot be reached (the
   *   message was not sent).
   * @throws {@link ClosedError} after {@link Transport.close}.
   * @throws {@link InvalidArgumentError} when `to` is not a known node or `message` cannot be sent
   *   (too large, not encodable).
   */
  send(to: NodeId, message: M): void;
  /**
   * Registers a handler for incoming messages. Handlers run one message at a time, outside the
   * stack of any `send`, in registration order. Messages that arrive while no handler is
   * registered are dropped. A handler must not throw.
   *
   * @returns a function that unregisters the handler.
   */
  onMessage(handler: MessageHandler<M>): () => void;
  /**
   * Stops sending and receiving. Messages not yet delivered may be lost. Idempotent; resolves once
   * resources (sockets, timers) are released.
   */
  close(): Promise<void>;
}
