import {
  ClosedError,
  InvalidArgumentError,
  isPodsError,
  type MessageHandler,
  type NodeId,
} from "@pods/core-interfaces";
import { QueueFullError, SingularUpdateQueue } from "@pods/singular-update-queue";
import type { Connection } from "./connection.ts";
import { RemoteError } from "./errors.ts";
import type { MutableMetrics } from "./metrics.ts";
import type { ResolvedOptions } from "./options.ts";
import type { OutboundFrame } from "./outbox.ts";
import { settleWithError, settleWithResponse } from "./pending-request.ts";
import { decodeEnvelope, encodeFailureBody, kinds, type Kind } from "./wire.ts";

/**
 * Answers a request: returns the response (or a promise of it), or throws to fail it. Handlers run
 * one at a time, in the order requests arrived, on the node's request queue.
 */
export type RequestHandler<M> = (from: NodeId, request: M) => M | Promise<M>;

/** Where an answer goes: the peer's link, if the request's connection is still its connection. @internal */
export interface AnswerRoute<M> {
  readonly connection: Connection<M> | undefined;
  enqueue(frame: OutboundFrame<M>): void;
}

/** What the dispatcher needs from its node. @internal */
export interface DispatcherHost<M> {
  readonly options: ResolvedOptions<M>;
  readonly metrics: MutableMetrics;
  /** Encodes a message, checking that its frame fits. */
  encode(message: M, what: string, kind: Kind): Uint8Array;
  /** The link of the connection's peer. */
  route(connection: Connection<M>): AnswerRoute<M> | undefined;
}

/** A request waiting for the handler: its connection and correlation id say where to answer. */
interface InboundRequest<M> {
  readonly connection: Connection<M>;
  readonly id: number;
  readonly request: M;
}

function isPromiseLike<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return (
    (typeof value === "object" || typeof value === "function") &&
    value !== null &&
    typeof (value as { then?: unknown }).then === "function"
  );
}

/**
 * The reading side's single consumer: decodes every frame of an established connection in arrival
 * order and hands it on — one-way messages to the message handlers at once, requests to the
 * node's request queue (a `SingularUpdateQueue`: one handler invocation at a time, in arrival
 * order), responses to the request waiting for them on that very connection.
 *
 * The request queue takes requests in batches: a request joins the batch waiting for (or in) the
 * queue's handler, or starts one, so a read chunk of many requests costs one queue item, not one
 * (and a promise) per request. `requestQueueMax` still counts requests, not batches.
 *
 * @internal
 */
export class Dispatcher<M> {
  readonly #host: DispatcherHost<M>;
  readonly #queueName: string;
  readonly #requests: SingularUpdateQueue<InboundRequest<M>[], void>;
  /** The request queue's open batch: queued, or being handled (arrivals join it). */
  #toHandle: InboundRequest<M>[] | undefined;
  /** Requests accepted and not yet handled, the one in the handler included. */
  #unhandled = 0;
  #closed = false;
  #messageHandlers: MessageHandler<M>[] = [];
  #requestHandler: RequestHandler<M> | undefined;

  constructor(host: DispatcherHost<M>) {
    this.#host = host;
    this.#queueName = `the request queue of ${host.options.nodeId}`;
    // Every batch holds at least one request, so the queue never holds more than requestQueueMax.
    this.#requests = new SingularUpdateQueue<InboundRequest<M>[], void>(
      (batch) => this.#handleBatch(batch),
      { capacityMax: host.options.requestQueueMax, overflow: "reject", name: this.#queueName },
    );
  }

  onMessage(handler: MessageHandler<M>): () => void {
    this.#messageHandlers = [...this.#messageHandlers, handler];
    return () => {
      this.#messageHandlers = this.#messageHandlers.filter((candidate) => candidate !== handler);
    };
  }

  onRequest(handler: RequestHandler<M>): () => void {
    if (this.#requestHandler !== undefined) {
      throw new InvalidArgumentError(
        `${this.#host.options.nodeId} already has a request handler; unregister it first.`,
      );
    }
    this.#requestHandler = handler;
    return () => {
      if (this.#requestHandler === handler) this.#requestHandler = undefined;
    };
  }

  /**
   * Stops taking requests: those not started are cancelled; one being handled finishes on its own
   * and its answer is dropped (closing does not wait for application code).
   */
  close(): void {
    this.#closed = true;
    void this.#requests.close({ cancelQueued: true });
  }

  /**
   * One frame from an established connection.
   *
   * @throws DecodeError (or the codec's error) for a malformed frame: the connection closes.
   */
  frame(connection: Connection<M>, payload: Uint8Array): void {
    const { metrics, options } = this.#host;
    metrics.framesReceived++;
    const envelope = decodeEnvelope(payload);
    const peer = connection.peer as NodeId;
    switch (envelope.kind) {
      case "ping":
        return;
      case "message":
        this.#deliver(peer, options.codec.decode(envelope.body));
        return;
      case "request":
        this.#accept({ connection, id: envelope.id, request: options.codec.decode(envelope.body) });
        return;
      case "response":
      case "failure": {
        const pending = connection.inflight.get(envelope.id);
        if (pending === undefined) {
          metrics.unknownResponses++;
          options.logger.debug("channel.unknown-response", { peer, id: envelope.id });
          return;
        }
        if (envelope.kind === "response") {
          const response = options.codec.decode(envelope.body);
          metrics.responsesReceived++;
          settleWithResponse(pending, response);
        } else {
          const { code, message, outcome } = envelope;
          metrics.responsesReceived++;
          settleWithError(pending, new RemoteError(peer, code, message, outcome));
        }
        return;
      }
    }
  }

  /** Queues a request for the handler, or refuses it at once when the queue is closed or full. */
  #accept(inbound: InboundRequest<M>): void {
    const { requestQueueMax } = this.#host.options;
    if (this.#closed) {
      this.#answer(inbound, false, new ClosedError(this.#queueName));
      return;
    }
    if (this.#unhandled >= requestQueueMax) {
      this.#answer(
        inbound,
        false,
        new QueueFullError(this.#queueName, requestQueueMax, "accepted items"),
      );
      return;
    }
    this.#unhandled++;
    if (this.#toHandle === undefined) {
      const batch: InboundRequest<M>[] = [];
      this.#toHandle = batch;
      // Only a batch the queue never started can fail (it was closed): refuse its requests.
      this.#requests.submit(batch).catch((error: unknown) => {
        if (this.#toHandle === batch) this.#toHandle = undefined;
        this.#unhandled -= batch.length;
        for (const cancelled of batch) this.#answer(cancelled, false, error);
      });
    }
    this.#toHandle.push(inbound);
  }

  /**
   * The request queue's handler: runs the request handler on each request of the batch, one at a
   * time and to completion, in arrival order, and answers it. Never throws.
   */
  async #handleBatch(batch: InboundRequest<M>[]): Promise<void> {
    try {
      for (const inbound of batch) {
        let ok = true;
        let value: unknown;
        try {
          if (this.#closed) throw new ClosedError(this.#queueName);
          const result = this.#handle(inbound.connection.peer as NodeId, inbound.request);
          value = isPromiseLike(result) ? await result : result;
        } catch (error) {
          ok = false;
          value = error;
        }
        this.#unhandled--;
        this.#answer(inbound, ok, value);
      }
    } finally {
      this.#toHandle = undefined;
    }
  }

  #deliver(from: NodeId, message: M): void {
    const handlers = this.#messageHandlers;
    if (handlers.length === 0) {
      this.#host.metrics.messagesDropped++;
      return;
    }
    this.#host.metrics.messagesReceived++;
    for (const handler of handlers) {
      try {
        handler(from, message);
      } catch (error) {
        this.#host.options.logger.error("channel.handler-threw", { peer: from, error });
      }
    }
  }

  #handle(from: NodeId, request: M): M | Promise<M> {
    const handler = this.#requestHandler;
    if (handler === undefined) {
      throw new InvalidArgumentError(
        `node "${this.#host.options.nodeId}" has no request handler; register one with onRequest.`,
      );
    }
    return handler(from, request);
  }

  /** Sends the handler's answer back on the connection the request came on, if it is still up. */
  #answer(inbound: InboundRequest<M>, ok: boolean, value: unknown): void {
    const { metrics, options } = this.#host;
    const { connection, id } = inbound;
    metrics.requestsHandled++;
    const route = this.#host.route(connection);
    if (route === undefined || route.connection !== connection) {
      metrics.responsesDropped++;
      return;
    }
    let frame: OutboundFrame<M>;
    const epoch = connection.epoch;
    if (ok) {
      try {
        const body = this.#host.encode(value as M, `response to request ${id}`, kinds.response);
        frame = { kind: kinds.response, id, body, request: undefined, epoch };
      } catch (error) {
        this.#answer(inbound, false, error);
        return;
      }
    } else {
      const pods = isPodsError(value);
      const message = value instanceof Error ? value.message : `a thrown ${typeof value}`;
      const body = encodeFailureBody(
        pods ? value.outcome : "indefinite",
        pods ? value.code : "ERROR",
        message,
      );
      frame = { kind: kinds.failure, id, body, request: undefined, epoch };
      options.logger.debug("channel.request-failed", { peer: connection.peer, id, error: value });
    }
    try {
      route.enqueue(frame);
    } catch (error) {
      connection.fail(
        "the send queue is full of responses the peer does not read",
        error instanceof Error ? error : undefined,
      );
    }
  }
}
