import {
  ClosedError,
  type MessageHandler,
  type NodeId,
  type Transport,
} from "@pods/core-interfaces";
import type { Incarnation } from "./incarnation.ts";

/** One node incarnation's end of the network. @internal */
export class SimTransport<M> implements Transport<M> {
  readonly localId: NodeId;
  readonly incarnation: Incarnation;
  readonly #send: (sender: SimTransport<M>, to: NodeId, message: M) => void;
  #handlers: MessageHandler<M>[] = [];
  #closed = false;

  constructor(
    incarnation: Incarnation,
    send: (sender: SimTransport<M>, to: NodeId, message: M) => void,
  ) {
    this.#send = send;
    this.incarnation = incarnation;
    this.localId = incarnation.nodeId;
  }

  get closed(): boolean {
    return this.#closed;
  }

  get handlers(): readonly MessageHandler<M>[] {
    return this.#handlers;
  }

  send(to: NodeId, message: M): void {
    if (this.#closed) throw new ClosedError(`the transport of ${this.incarnation.label}`);
    this.#send(this, to, message);
  }

  onMessage(handler: MessageHandler<M>): () => void {
    this.#handlers = [...this.#handlers, handler];
    return () => {
      this.#handlers = this.#handlers.filter((candidate) => candidate !== handler);
    };
  }

  close(): Promise<void> {
    this.#closed = true;
    this.#handlers = [];
    return Promise.resolve();
  }

  /** The process died: its handlers are gone (its leftover sends are dropped, not refused). */
  detachHandlers(): void {
    this.#handlers = [];
  }
}
