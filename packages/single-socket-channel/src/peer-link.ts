import { invariant, type Cancel, type NodeId } from "@pods/core-interfaces";
import { encodeFrame, frameHeaderBytes } from "@pods/codec";
import { admitInbound, type Admission, type DialFloor, type LinkState } from "./admission.ts";
import { Connection, type ConnectionOwner } from "./connection.ts";
import {
  ConnectionLostError,
  HandshakeError,
  SendQueueFullError,
  type RefusalReason,
} from "./errors.ts";
import { encodeHandshake, type Identity } from "./handshake.ts";
import type { ConnectionEvent, MutableMetrics, PeerStatus } from "./metrics.ts";
import { reconnectDelayMs, type ResolvedOptions } from "./options.ts";
import { writeFrames } from "./frame-writer.ts";
import { Outbox, payloadBytes, type OutboundFrame } from "./outbox.ts";
import { settleWithError } from "./pending-request.ts";
import type { StreamDriver } from "./stream.ts";

/** Frames written in one stream write at most (one larger frame goes alone). */
const writeBatchBytesMax = 256 * 1024;

/** What a link needs from its node. @internal */
export interface LinkHost<M, A> {
  readonly options: ResolvedOptions<M>;
  readonly driver: StreamDriver<A>;
  readonly owner: ConnectionOwner<M>;
  readonly metrics: MutableMetrics;
  /** This node's instance id. */
  readonly instance: number;
  /** Numbers a new dial. */
  nextDialSeq(): number;
  /** The number of this node's latest dial. */
  latestDialSeq(): number;
  /** Reports a connection going up or down. */
  connectionChanged(event: ConnectionEvent): void;
}

/**
 * Everything this node keeps about one peer: its address, the one connection (or the attempt to
 * make it), the send queue, the epoch counter, the backoff, and the floor of the peer's dials.
 *
 * @internal
 */
export class PeerLink<M, A> {
  readonly peer: NodeId;
  address: A | undefined;
  readonly #host: LinkHost<M, A>;
  readonly #outbox = new Outbox<M>();
  #state: LinkState = "idle";
  /** The established connection (state `connected`). */
  #connection: Connection<M> | undefined;
  /** This node's attempt in flight (state `dialing`). */
  #attempt: Connection<M> | undefined;
  #epoch = 0;
  #failures = 0;
  #nextDialAtMs = 0;
  #floor: DialFloor | undefined;
  #cancelWait: Cancel = () => undefined;
  #flushScheduled = false;
  #closed = false;
  readonly #flushTask = (): void => {
    this.#flushScheduled = false;
    this.flush();
  };

  constructor(host: LinkHost<M, A>, peer: NodeId, address: A | undefined) {
    this.#host = host;
    this.peer = peer;
    this.address = address;
  }

  /** The established connection, if any. */
  get connection(): Connection<M> | undefined {
    return this.#connection;
  }

  /** Where the link stands. */
  get state(): LinkState {
    return this.#state;
  }

  /** A snapshot for introspection. */
  status(): PeerStatus {
    const connection = this.#connection;
    return {
      peer: this.peer,
      state: this.#state,
      epoch: this.#epoch,
      openedBy: connection?.role,
      remote: connection?.stream?.remoteLabel,
      queuedBytes: this.#outbox.bytes,
      inflightRequests: connection?.inflight.size ?? 0,
      failures: this.#failures,
    };
  }

  /**
   * Queues a frame and makes sure a connection is on its way.
   *
   * @throws {@link SendQueueFullError} when the frame does not fit in `sendQueueBytesMax`.
   */
  enqueue(frame: OutboundFrame<M>): void {
    const { sendQueueBytesMax } = this.#host.options;
    const frameBytes = frameHeaderBytes + payloadBytes(frame);
    if (this.#outbox.bytes + frameBytes > sendQueueBytesMax) {
      this.#host.metrics.sendQueueFull++;
      throw new SendQueueFullError(this.peer, this.#outbox.bytes, sendQueueBytesMax, frameBytes);
    }
    this.#outbox.push(frame);
    if (this.#state === "connected") this.#scheduleFlush();
    else this.#connect();
  }

  /** Writes queued frames while the connection takes them. */
  flush(): void {
    const connection = this.#connection;
    if (connection === undefined) return;
    while (this.#outbox.length > 0 && connection.writable) {
      const { frames, bytes } = this.#outbox.takeBatch(writeBatchBytesMax, connection.epoch);
      if (frames.length === 0) continue;
      for (const { request } of frames) {
        if (request === undefined) continue;
        request.state = "written";
        request.connection = connection;
        connection.inflight.set(request.id, request);
      }
      this.#host.metrics.framesSent += frames.length;
      connection.write(writeFrames(frames, bytes));
    }
  }

  /** A dialed stream opened: send the hello. */
  opened(connection: Connection<M>): void {
    if (connection !== this.#attempt) {
      connection.shutdown(false);
      return;
    }
    connection.write(
      encodeFrame(encodeHandshake({ kind: "hello", ...this.#identity(connection.dialSeq) })),
    );
  }

  /** The peer accepted this node's attempt. */
  welcomed(connection: Connection<M>, welcome: Identity): void {
    if (connection !== this.#attempt) {
      connection.shutdown(false);
      return;
    }
    this.#attempt = undefined;
    this.#raiseFloor({ instance: welcome.instance, dialSeq: welcome.dialSeq });
    this.#establish(connection);
  }

  /** The peer refused this node's attempt. */
  refused(connection: Connection<M>, reason: RefusalReason, detail: string): void {
    connection.shutdown(false);
    if (connection !== this.#attempt) return;
    this.#attempt = undefined;
    if (reason === "duplicate") {
      const { connectTimeoutMs, scheduler } = this.#host.options;
      this.#state = "awaiting-peer";
      this.#cancelWait = scheduler.after(connectTimeoutMs, () => {
        if (this.#state !== "awaiting-peer") return;
        this.#attemptFailed(
          `the peer kept its own connection attempt but did not complete it within ` +
            `${connectTimeoutMs} ms`,
          undefined,
        );
      });
      return;
    }
    this.#attemptFailed(
      `the peer refused the handshake (${reason}): ${detail}`,
      new HandshakeError(reason, detail),
    );
  }

  /**
   * The peer's hello arrived on an inbound connection: admits it (see {@link admitInbound}) and,
   * when admitted, welcomes and establishes it, replacing whatever this link had.
   */
  admit(connection: Connection<M>, hello: Identity): Admission {
    const admission = admitInbound(
      this.#host.options.nodeId,
      this.peer,
      this.#state,
      this.#floor,
      hello,
    );
    if (admission !== "accept") return admission;
    this.#floor = { instance: hello.instance, dialSeq: hello.dialSeq };
    const previous = this.#connection;
    if (previous !== undefined) {
      previous.shutdown(false);
      this.#connectionEnded(previous, "replaced by a newer connection from the peer", undefined);
    }
    this.#attempt?.shutdown(false);
    this.#attempt = undefined;
    this.#cancelWait();
    const welcome = { kind: "welcome", ...this.#identity(this.#host.latestDialSeq()) } as const;
    connection.write(encodeFrame(encodeHandshake(welcome)));
    this.#establish(connection);
    return "accept";
  }

  /** A connection of this link ended without being asked to. */
  lost(connection: Connection<M>, reason: string, error: Error | undefined): void {
    if (connection === this.#connection) {
      this.#connectionEnded(connection, reason, error);
      this.#state = "idle";
      this.#failQueue(`the connection ended: ${reason}`, error);
    } else if (connection === this.#attempt) {
      this.#attempt = undefined;
      this.#attemptFailed(reason, error);
    }
  }

  /** Drops the connection (or the attempt) now; pending requests fail. */
  disconnect(reason: string): void {
    const connection = this.#connection ?? this.#attempt;
    connection?.shutdown(false);
    if (connection === this.#connection && connection !== undefined) {
      this.#connectionEnded(connection, reason, undefined);
    }
    this.#attempt = undefined;
    this.#cancelWait();
    this.#state = "idle";
    this.#failQueue(reason, undefined);
  }

  /**
   * Writes what is queued, closes the connection gracefully, and fails every request still
   * pending. Resolves when the stream has closed.
   */
  close(): Promise<void> {
    this.#closed = true;
    const connection = this.#connection;
    this.flush();
    if (connection !== undefined) {
      this.#connectionEnded(connection, "the channel was closed", undefined);
      connection.shutdown(true);
    }
    this.#attempt?.shutdown(false);
    const attempt = this.#attempt;
    this.#attempt = undefined;
    this.#cancelWait();
    this.#state = "idle";
    this.#failQueue("the channel was closed", undefined);
    return Promise.all([connection?.closed, attempt?.closed]).then(() => undefined);
  }

  #identity(dialSeq: number): Identity {
    const { nodeId, clusterId } = this.#host.options;
    return { nodeId, clusterId, instance: this.#host.instance, dialSeq };
  }

  #raiseFloor(next: DialFloor): void {
    const floor = this.#floor;
    if (floor === undefined || floor.instance !== next.instance || floor.dialSeq < next.dialSeq) {
      this.#floor = next;
    }
  }

  #scheduleFlush(): void {
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    queueMicrotask(this.#flushTask);
  }

  /** Starts connecting unless a connection is up or on its way; honours the backoff. */
  #connect(): void {
    if (this.#state !== "idle" || this.#closed) return;
    const { clock, scheduler } = this.#host.options;
    const waitMs = this.#nextDialAtMs - clock.monotonicMs();
    if (waitMs <= 0) {
      this.#dial();
      return;
    }
    this.#state = "backoff";
    this.#cancelWait = scheduler.after(waitMs, () => {
      if (this.#state === "backoff") this.#dial();
    });
  }

  #dial(): void {
    const host = this.#host;
    const address = this.address;
    // A link without an address exists only while its peer's connection is up (then forgotten).
    invariant(address !== undefined, () => `dialing ${this.peer}, which has no address`);
    this.#state = "dialing";
    const connection = new Connection<M>(
      "dialer",
      this.peer,
      host.options,
      host.owner,
      host.metrics,
    );
    connection.dialSeq = host.nextDialSeq();
    this.#attempt = connection;
    host.metrics.dials++;
    try {
      connection.attach(host.driver.dial(address, connection.handlers()));
    } catch (error) {
      connection.shutdown(false);
      this.#attempt = undefined;
      const cause = error instanceof Error ? error : new Error(String(error));
      this.#attemptFailed(
        `dialing ${host.driver.describe(address)} failed: ${cause.message}`,
        cause,
      );
    }
  }

  #establish(connection: Connection<M>): void {
    const host = this.#host;
    this.#cancelWait();
    this.#state = "connected";
    this.#connection = connection;
    this.#failures = 0;
    this.#nextDialAtMs = 0;
    connection.establish(++this.#epoch);
    host.metrics.connectionsEstablished++;
    host.options.logger.info("channel.connected", {
      peer: this.peer,
      epoch: this.#epoch,
      openedBy: connection.role === "dialer" ? host.options.nodeId : this.peer,
      remote: connection.stream?.remoteLabel,
    });
    host.connectionChanged({
      peer: this.peer,
      state: "connected",
      epoch: this.#epoch,
      reason: undefined,
    });
    this.flush();
  }

  /** The established connection ended: its requests fail with an indefinite outcome. */
  #connectionEnded(connection: Connection<M>, reason: string, error: Error | undefined): void {
    const host = this.#host;
    this.#connection = undefined;
    const inflight = [...connection.inflight.values()];
    if (!this.#closed) host.metrics.connectionsLost++;
    host.options.logger[this.#closed ? "info" : "warn"]("channel.disconnected", {
      peer: this.peer,
      epoch: connection.epoch,
      reason,
      failedRequests: inflight.length,
    });
    const options = error === undefined ? {} : { cause: error };
    for (const pending of inflight) {
      settleWithError(pending, new ConnectionLostError(this.peer, reason, options));
    }
    host.connectionChanged({
      peer: this.peer,
      state: "disconnected",
      epoch: connection.epoch,
      reason,
    });
  }

  /** An attempt failed: back off, and fail what waited for it. */
  #attemptFailed(reason: string, error: Error | undefined): void {
    const { options, metrics } = this.#host;
    this.#failures++;
    metrics.dialFailures++;
    const delayMs = reconnectDelayMs(this.#failures, options);
    this.#nextDialAtMs = options.clock.monotonicMs() + delayMs;
    this.#cancelWait();
    this.#state = "idle";
    const level = error instanceof HandshakeError ? "error" : "warn";
    options.logger[level]("channel.connect-failed", {
      peer: this.peer,
      address: this.address === undefined ? undefined : this.#host.driver.describe(this.address),
      reason,
      failures: this.#failures,
      nextAttemptInMs: Math.round(delayMs),
    });
    this.#failQueue(`could not connect: ${reason}`, error);
  }

  /** Fails the queued requests (never sent: a definite outcome) and drops queued messages. */
  #failQueue(reason: string, error: Error | undefined): void {
    const { requests, messages, responses } = this.#outbox.clear();
    this.#host.metrics.messagesDropped += messages;
    this.#host.metrics.responsesDropped += responses;
    const options = {
      outcome: "definite",
      ...(error === undefined ? {} : { cause: error }),
    } as const;
    for (const pending of requests) {
      settleWithError(pending, new ConnectionLostError(this.peer, reason, options));
    }
  }
}
