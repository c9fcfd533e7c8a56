import {
  assertNodeId,
  ClosedError,
  InvalidArgumentError,
  isPodsError,
  TimeoutError,
  type MessageHandler,
  type NodeId,
  type Transport,
} from "@pods/core-interfaces";
import type { Connection, ConnectionOwner } from "./connection.ts";
import { Dispatcher, type RequestHandler } from "./dispatcher.ts";
import { HandshakeError } from "./errors.ts";
import { checkWelcome, decodeHandshake, type Handshake } from "./handshake.ts";
import { InboundConnections } from "./inbound.ts";
import {
  zeroMetrics,
  type ChannelMetrics,
  type ConnectionEvent,
  type MutableMetrics,
  type PeerStatus,
} from "./metrics.ts";
import { resolveOptions, type ChannelOptions, type ResolvedOptions } from "./options.ts";
import { PeerLink } from "./peer-link.ts";
import {
  noTimeout,
  settleWithError,
  type PendingRequest,
  type ResponseReceiver,
} from "./pending-request.ts";
import type { StreamDriver } from "./stream.ts";
import { envelopeBytes, kinds, type Kind } from "./wire.ts";

/** Options of {@link ChannelNode.request}. */
export interface RequestOptions {
  /**
   * Fail with `TimeoutError` if no response arrives within this many ms; a late response is then
   * dropped (counted in `unknownResponses`). Default: no timeout — the request still fails when
   * its connection ends.
   */
  readonly timeoutMs?: number;
}

/**
 * One node's end of the single-socket channels to its peers: at most one connection per peer,
 * messages framed and delivered in order, request/response matched by correlation id, liveness
 * by keep-alive pings and an idle timeout, reconnects with backoff, and a bounded send queue.
 * It implements the `Transport` port (one-way `send` and `onMessage`), promising per-peer FIFO
 * order without duplicates (see the README for what a lost connection loses).
 *
 * Runs over any {@link StreamDriver}: TCP or TLS (`createTcpDriver`, or `createSocketChannel` for
 * both in one call), or simulated streams (`createTransportStreamDriver`).
 *
 * @typeParam M - the message type (requests and responses are messages too).
 * @typeParam A - the driver's address type.
 */
export class ChannelNode<M, A> implements Transport<M> {
  /** This node's id. */
  readonly localId: NodeId;
  /** A random number drawn at construction; peers tell a restarted node by it. */
  readonly instance: number;
  readonly #options: ResolvedOptions<M>;
  readonly #driver: StreamDriver<A>;
  readonly #links = new Map<NodeId, PeerLink<M, A>>();
  readonly #metrics: MutableMetrics = zeroMetrics();
  readonly #owner: ConnectionOwner<M>;
  readonly #inbound: InboundConnections<M>;
  readonly #dispatcher: Dispatcher<M>;
  #connectionListeners: ((event: ConnectionEvent) => void)[] = [];
  #nextRequestId = 1;
  #dialSeq = 0;
  #listening: Promise<A> | undefined;
  #address: A | undefined;
  #closing: Promise<void> | undefined;

  /**
   * @param options - identity, driver, ports, peers and limits; see {@link ChannelOptions}.
   * @throws InvalidArgumentError for a bad option.
   */
  constructor(options: ChannelOptions<M, A>) {
    this.#options = resolveOptions(options);
    this.#driver = options.driver;
    this.localId = this.#options.nodeId;
    this.instance = this.#options.random.int(0, 2 ** 32);
    this.#owner = {
      opened: (connection) => this.#linkOf(connection)?.opened(connection),
      handshake: (connection, payload) => {
        if (connection.role === "acceptor") this.#inbound.hello(connection, payload);
        else this.#answer(connection, payload);
      },
      frame: (connection, payload) => this.#dispatcher.frame(connection, payload),
      drained: (connection) => this.#linkOf(connection)?.flush(),
      lost: (connection, reason, error) => {
        if (this.#inbound.lost(connection, reason)) return;
        const link = this.#linkOf(connection);
        link?.lost(connection, reason, error);
        this.#forgetIfIdle(link);
      },
    };
    this.#inbound = new InboundConnections<M>({
      options: this.#options,
      owner: this.#owner,
      metrics: this.#metrics,
      instance: this.instance,
      latestDialSeq: () => this.#dialSeq,
      closing: () => this.#closing !== undefined,
      admit: (peer, connection, hello) => {
        const link = this.#link(peer);
        const admission = link.admit(connection, hello);
        this.#forgetIfIdle(link);
        return admission;
      },
    });
    this.#dispatcher = new Dispatcher<M>({
      options: this.#options,
      metrics: this.#metrics,
      encode: (message, what, kind) => this.#encode(message, what, kind),
      route: (connection) => this.#linkOf(connection),
    });
    for (const [peer, address] of Object.entries(options.peers ?? {})) this.setPeer(peer, address);
  }

  /** The address this node listens at, once `listen` resolved. */
  get address(): A | undefined {
    return this.#address;
  }

  /** A snapshot of the counters. */
  get metrics(): ChannelMetrics {
    return { ...this.#metrics };
  }

  /** Whether `close` was called. */
  get closed(): boolean {
    return this.#closing !== undefined;
  }

  /**
   * Starts accepting connections at `address` (for TCP, port 0 picks a free port).
   *
   * @returns the address peers reach this node at.
   * @throws InvalidArgumentError when called twice; the driver's error when it cannot listen.
   */
  listen(address: A): Promise<A> {
    if (this.#closing !== undefined) return Promise.reject(this.#closedError());
    if (this.#listening !== undefined) {
      return Promise.reject(new InvalidArgumentError(`${this.localId} is already listening.`));
    }
    this.#listening = this.#driver
      .listen(address, {
        accept: (stream) => this.#inbound.accept(stream),
        rejected: (remote, error) => {
          this.#metrics.handshakesRefused++;
          this.#options.logger.warn("channel.handshake-refused", {
            remote,
            reason: "tls",
            detail: `the TLS handshake failed: ${error.message}`,
          });
        },
        failed: (error) => this.#options.logger.error("channel.listener-failed", { error }),
      })
      .then((bound) => (this.#address = bound));
    return this.#listening;
  }

  /**
   * Adds a peer, or changes its address (used from the next dial on).
   *
   * @throws InvalidArgumentError for a bad id or this node's own id.
   */
  setPeer(peer: NodeId, address: A): void {
    this.#checkPeerId(peer);
    this.#link(peer).address = address;
  }

  /**
   * Queues `message` for `to` and returns at once; a connection is made if none is up (after the
   * backoff when earlier attempts failed). Delivery is in send order per peer; a message queued when
   * its connection fails is dropped, never re-sent (see `metrics.messagesDropped`).
   *
   * @throws ClosedError after `close`.
   * @throws InvalidArgumentError for an unknown peer (no address, not connected), this node
   *   itself, or a message that cannot be encoded or is larger than `frameBytesMax`.
   * @throws {@link SendQueueFullError} (an `UnreachableError`) when the send queue is full.
   */
  send(to: NodeId, message: M): void {
    const link = this.#reachableLink(to);
    const body = this.#encode(message, `message to ${to}`, kinds.message);
    link.enqueue({ kind: kinds.message, id: 0, body, request: undefined, epoch: 0 });
    this.#metrics.messagesSent++;
  }

  /**
   * Sends `request` to `to` and resolves with the response of its request handler. The request is
   * queued in order with `send`s to the same peer, and bound to the connection it is written on:
   * if that connection ends first, the promise rejects with {@link ConnectionLostError}
   * (`indefinite`: it may have been handled; `definite` if it was never written). Never re-sent.
   *
   * Rejects with `ClosedError`, `InvalidArgumentError` or {@link SendQueueFullError} as `send`
   * throws them; with {@link RemoteError} when the peer's
   * handler failed; with `TimeoutError` after `options.timeoutMs`.
   */
  request(to: NodeId, request: M, options: RequestOptions = {}): Promise<M> {
    return new Promise<M>((resolve, reject) => {
      try {
        this.requestWith(to, request, { response: resolve, failure: reject }, options);
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
  }

  /**
   * {@link ChannelNode.request} without a promise: the outcome goes to `receiver` (its `response`
   * or its `failure`, exactly once), and a request that cannot be queued throws at once. For
   * callers that keep many requests in flight and want no allocation per request beyond their
   * own record — a request pipeline passes its record of the request as the receiver.
   *
   * @throws ClosedError after `close`.
   * @throws InvalidArgumentError for an unknown peer, this node itself, a bad `timeoutMs`, or a
   *   message that cannot be encoded or is larger than `frameBytesMax`.
   * @throws {@link SendQueueFullError} (an `UnreachableError`) when the send queue is full.
   */
  requestWith(
    to: NodeId,
    request: M,
    receiver: ResponseReceiver<M>,
    options: RequestOptions = {},
  ): void {
    const { timeoutMs } = options;
    if (timeoutMs !== undefined && !(timeoutMs > 0 && Number.isFinite(timeoutMs))) {
      throw new InvalidArgumentError(
        `timeoutMs must be a finite number of ms > 0, got ${String(timeoutMs)}.`,
      );
    }
    const link = this.#reachableLink(to);
    const body = this.#encode(request, `request to ${to}`, kinds.request);
    const id = this.#nextRequestId++;
    const pending: PendingRequest<M> = {
      id,
      peer: to,
      state: "queued",
      connection: undefined,
      cancelTimeout: noTimeout,
      receiver,
    };
    link.enqueue({ kind: kinds.request, id, body, request: pending, epoch: 0 });
    this.#metrics.requestsSent++;
    if (timeoutMs === undefined || pending.state === "settled") return;
    pending.cancelTimeout = this.#options.scheduler.after(timeoutMs, () => {
      const outcome = pending.state === "queued" ? "definite" : "indefinite";
      settleWithError(pending, new TimeoutError(`request ${id} to ${to}`, timeoutMs, { outcome }));
    });
  }

  /**
   * Registers a handler for one-way messages (the `Transport` port): handlers run in registration
   * order, one message at a time, in arrival order. Messages arriving while none is registered
   * are dropped (counted in `messagesDropped`).
   *
   * @returns a function that unregisters the handler.
   */
  onMessage(handler: MessageHandler<M>): () => void {
    return this.#dispatcher.onMessage(handler);
  }

  /**
   * Registers the request handler. Requests from every peer go through one queue (a
   * `SingularUpdateQueue` of `requestQueueMax` items): the handler runs on one request at a time,
   * in arrival order, each to completion; its result or error goes back on the connection the
   * request came on. A request arriving with no handler, or with the queue full, is answered with
   * a failure (`INVALID_ARGUMENT`, `QUEUE_FULL`), which the requester gets as a {@link RemoteError}.
   *
   * @returns a function that unregisters the handler.
   * @throws InvalidArgumentError when a handler is already registered.
   */
  onRequest(handler: RequestHandler<M>): () => void {
    return this.#dispatcher.onRequest(handler);
  }

  /**
   * Registers a listener for connections going up and down. Listeners run on a microtask after the
   * change (pending requests have already failed when `disconnected` arrives).
   *
   * @returns a function that unregisters the listener.
   */
  onConnectionChange(listener: (event: ConnectionEvent) => void): () => void {
    this.#connectionListeners = [...this.#connectionListeners, listener];
    return () => {
      this.#connectionListeners = this.#connectionListeners.filter((other) => other !== listener);
    };
  }

  /**
   * Drops the connection to `peer` (or the attempt to make one) now: its pending requests fail with
   * {@link ConnectionLostError}, queued messages are dropped; the next send reconnects. For a
   * caller that detected a protocol error or a stuck peer.
   */
  disconnect(peer: NodeId, reason = "disconnected by this node"): void {
    const link = this.#links.get(peer);
    link?.disconnect(reason);
    this.#forgetIfIdle(link);
  }

  /** The state of the channel to `peer`, or `undefined` for a peer it does not know. */
  status(peer: NodeId): PeerStatus | undefined {
    return this.#links.get(peer)?.status();
  }

  /** The state of the channel to every peer it knows (with an address, or connected now). */
  statuses(): PeerStatus[] {
    return [...this.#links.values()].map((link) => link.status());
  }

  /**
   * Stops listening, writes what is queued and closes every connection gracefully (within
   * `connectTimeoutMs`); requests still pending fail with {@link ConnectionLostError}, later
   * sends with `ClosedError`. A request handler still running finishes on its own; its answer is
   * dropped. Resolves when every stream has closed. Idempotent.
   */
  close(): Promise<void> {
    if (this.#closing !== undefined) return this.#closing;
    const closingLinks = [...this.#links.values()].map((link) => link.close());
    const closingInbound = this.#inbound.closeAll();
    this.#dispatcher.close();
    const listening = this.#listening?.catch(() => undefined);
    this.#closing = Promise.all([...closingLinks, closingInbound, listening]).then(() =>
      this.#driver.close(),
    );
    return this.#closing;
  }

  #closedError(): ClosedError {
    return new ClosedError(`the channel of node ${this.localId}`);
  }

  #checkPeerId(peer: NodeId): void {
    assertNodeId(peer, "peer id");
    if (peer === this.localId) {
      throw new InvalidArgumentError(
        `${peer} is this node itself; a node does not send to itself.`,
      );
    }
  }

  #link(peer: NodeId): PeerLink<M, A> {
    let link = this.#links.get(peer);
    if (link === undefined) {
      link = new PeerLink<M, A>(
        {
          options: this.#options,
          driver: this.#driver,
          owner: this.#owner,
          metrics: this.#metrics,
          instance: this.instance,
          nextDialSeq: () => ++this.#dialSeq,
          latestDialSeq: () => this.#dialSeq,
          // Listeners run after the link has settled its new state, so they may send at once.
          connectionChanged: (event) =>
            queueMicrotask(() => {
              for (const listener of this.#connectionListeners) listener(event);
            }),
        },
        peer,
        undefined,
      );
      this.#links.set(peer, link);
    }
    return link;
  }

  /**
   * Forgets a peer that only ever connected to this node (no address) once it has no connection,
   * so that peers coming and going do not accumulate.
   */
  #forgetIfIdle(link: PeerLink<M, A> | undefined): void {
    if (link !== undefined && link.address === undefined && link.state === "idle") {
      this.#links.delete(link.peer);
    }
  }

  #linkOf(connection: Connection<M>): PeerLink<M, A> | undefined {
    return connection.peer === undefined ? undefined : this.#links.get(connection.peer);
  }

  #reachableLink(to: NodeId): PeerLink<M, A> {
    if (this.#closing !== undefined) throw this.#closedError();
    const link = this.#links.get(to);
    if (link !== undefined) return link; // links never hold this node itself or a bad id
    this.#checkPeerId(to);
    throw new InvalidArgumentError(
      `unknown node "${to}": it has no address and is not connected; add it with setPeer.`,
    );
  }

  /** Encodes a message, checking that its frame payload fits in `frameBytesMax`. */
  #encode(message: M, what: string, kind: Kind): Uint8Array {
    let body: Uint8Array;
    try {
      body = this.#options.codec.encode(message);
    } catch (error) {
      if (isPodsError(error)) throw error;
      throw new InvalidArgumentError(`the ${what} cannot be encoded: ${String(error)}`, {
        cause: error,
      });
    }
    const payloadBytes = envelopeBytes(kind) + body.length;
    if (payloadBytes > this.#options.frameBytesMax) {
      throw new InvalidArgumentError(
        `the ${what} takes ${payloadBytes} bytes, more than frameBytesMax ` +
          `(${this.#options.frameBytesMax}); split it, or raise frameBytesMax on every node.`,
      );
    }
    return body;
  }

  /** The answer to this node's hello on a dialed connection. */
  #answer(connection: Connection<M>, payload: Uint8Array): void {
    const link = this.#linkOf(connection);
    if (link === undefined) {
      connection.shutdown(false);
      return;
    }
    let answer: Handshake;
    try {
      answer = decodeHandshake(payload);
    } catch (error) {
      if (!(error instanceof HandshakeError)) throw error;
      connection.fail(`the peer's answer is not a handshake: ${error.detail}`, error);
      return;
    }
    if (answer.kind === "refuse") {
      link.refused(connection, answer.reason, answer.detail);
      return;
    }
    const expected = { peer: link.peer, clusterId: this.#options.clusterId };
    const problem = checkWelcome(answer, expected, connection.stream?.peerCertificateName);
    if (problem === undefined) link.welcomed(connection, answer);
    else connection.fail(problem.detail, problem);
  }
}
