import {
  InvalidArgumentError,
  isPodsError,
  type MessageHandler,
  type NodeId,
} from "@pods/core-interfaces";
import { SingularUpdateQueue } from "@pods/singular-update-queue";
import type { Connection } from "./connection.ts";
import { RemoteError } from "./errors.ts";
import type { MutableMetrics } from "./metrics.ts";
import type { ResolvedOptions } from "./options.ts";
import type { OutboundFrame } from "./outbox.ts";
import { settle } from "./pending-request.ts";
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

interface InboundRequest<M> {
  readonly from: NodeId;
  readonly request: M;
}

/**
 * The reading side's single consumer: decodes every frame of an established connection in arrival
 * order and hands it on — one-way messages to the message handlers at once, requests to the
 * node's request queue (a `SingularUpdateQueue`: one handler invocation at a time, in arrival
 * order), responses to the request waiting for them on that very connection.
 *
 * @internal
 */
export class Dispatcher<M> {
  readonly #host: DispatcherHost<M>;
  readonly #requests: SingularUpdateQueue<InboundRequest<M>, M>;
  #messageHandlers: MessageHandler<M>[] = [];
  #requestHandler: RequestHandler<M> | undefined;

  constructor(host: DispatcherHost<M>) {
    this.#host = host;
    this.#requests = new SingularUpdateQueue<InboundRequest<M>, M>(
      ({ from, request }) => this.#handle(from, request),
      {
        capacityMax: host.options.requestQueueMax,
        overflow: "reject",
        name: `the request queue of ${host.options.nodeId}`,
      },
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
      case "request": {
        const request = options.codec.decode(envelope.body);
        this.#requests.submit({ from: peer, request }).then(
          (response) => this.#answer(connection, envelope.id, { response }),
          (error: unknown) => this.#answer(connection, envelope.id, { error }),
        );
        return;
      }
      case "response":
      case "failure": {
        const pending = connection.inflight.get(envelope.id);
        if (pending === undefined) {
          metrics.unknownResponses++;
          options.logger.debug("channel.unknown-response", { peer, id: envelope.id });
          return;
        }
        const outcome =
          envelope.kind === "response"
            ? { response: options.codec.decode(envelope.body) }
            : { error: new RemoteError(peer, envelope.code, envelope.message, envelope.outcome) };
        metrics.responsesReceived++;
        settle(pending, outcome);
        return;
      }
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
  #answer(
    connection: Connection<M>,
    id: number,
    answer: { readonly response: M } | { readonly error: unknown },
  ): void {
    const { metrics, options } = this.#host;
    metrics.requestsHandled++;
    const route = this.#host.route(connection);
    if (route === undefined || route.connection !== connection) {
      metrics.responsesDropped++;
      return;
    }
    let frame: OutboundFrame<M>;
    const epoch = connection.epoch;
    if ("response" in answer) {
      try {
        const body = this.#host.encode(
          answer.response,
          `response to request ${id}`,
          kinds.response,
        );
        frame = { kind: kinds.response, id, body, request: undefined, epoch };
      } catch (error) {
        this.#answer(connection, id, { error });
        return;
      }
    } else {
      const { error } = answer;
      const pods = isPodsError(error);
      const message = error instanceof Error ? error.message : `a thrown ${typeof error}`;
      const body = encodeFailureBody(
        pods ? error.outcome : "indefinite",
        pods ? error.code : "ERROR",
        message,
      );
      frame = { kind: kinds.failure, id, body, request: undefined, epoch };
      options.logger.debug("channel.request-failed", { peer: connection.peer, id, error });
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
