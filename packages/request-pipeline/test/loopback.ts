import { isPodsError, type NodeId } from "@pods/core-interfaces";
import {
  ConnectionLostError,
  RemoteError,
  type ResponseReceiver,
} from "@pods/single-socket-channel";
import type { PipelineChannel } from "../src/index.ts";

// A channel to an in-process receiver with the semantics of one connection, driven by hand:
// requests queue in order on the "wire", `deliver` hands the next to the receiver (which may apply
// it), `answer` returns the oldest answer, `drop` loses the connection — everything not yet
// answered fails with ConnectionLostError (indefinite), whether the receiver applied it or not.

interface WireRequest<M> {
  readonly message: M;
  readonly receiver: ResponseReceiver<M>;
  delivered: boolean;
  answer: { ok: true; value: M } | { ok: false; error: Error } | undefined;
}

/** The receiving side: what a channel's request handler would be. */
export type Receive<M> = (from: NodeId, message: M) => M | Promise<M>;

export class LoopbackChannel<M> implements PipelineChannel<M> {
  receive: Receive<M>;
  readonly messages: M[] = [];
  readonly disconnects: string[] = [];
  #wire: WireRequest<M>[] = [];

  constructor(receive: Receive<M>) {
    this.receive = receive;
  }

  requestWith(_to: NodeId, message: M, receiver: ResponseReceiver<M>): void {
    this.#wire.push({ message, receiver, delivered: false, answer: undefined });
  }

  send(_to: NodeId, message: M): void {
    this.messages.push(message);
  }

  disconnect(_peer: NodeId, reason = "disconnected"): void {
    this.disconnects.push(reason);
    this.drop(reason);
  }

  /** Requests on the wire not yet delivered. */
  get undelivered(): number {
    return this.#wire.filter((request) => !request.delivered).length;
  }

  /** Requests on the wire (delivered or not) not yet answered. */
  get unanswered(): number {
    return this.#wire.length;
  }

  /** Hands the next undelivered request to the receiver and waits for its answer (kept back). */
  async deliver(): Promise<boolean> {
    const request = this.#wire.find((candidate) => !candidate.delivered);
    if (request === undefined) return false;
    request.delivered = true;
    try {
      request.answer = { ok: true, value: await this.receive("athens", request.message) };
    } catch (error) {
      const failure = isPodsError(error)
        ? new RemoteError("byzantium", error.code, error.message, error.outcome)
        : new RemoteError("byzantium", "ERROR", String(error), "indefinite");
      request.answer = { ok: false, error: failure };
    }
    return true;
  }

  /** Returns the oldest answer to the sender, if it is ready. */
  answer(): boolean {
    const request = this.#wire[0];
    if (request?.answer === undefined) return false;
    this.#wire.shift();
    if (request.answer.ok) request.receiver.response(request.answer.value);
    else request.receiver.failure(request.answer.error);
    return true;
  }

  /** Loses the connection: every request not yet answered fails. */
  drop(reason = "the connection dropped"): void {
    const lost = this.#wire;
    this.#wire = [];
    for (const request of lost) {
      request.receiver.failure(new ConnectionLostError("byzantium", reason));
    }
  }
}
