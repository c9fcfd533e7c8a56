import type { Cancel, NodeId } from "@pods/core-interfaces";
import { encodeFrame, FrameDecoder, readFrame } from "@pods/codec";
import { handshakeBytesMax } from "./handshake.ts";
import type { ResolvedOptions } from "./options.ts";
import type { PendingRequest } from "./pending-request.ts";
import type { ByteStream, StreamHandlers } from "./stream.ts";
import { kinds } from "./wire.ts";

/** Who opened a connection: this node (`dialer`) or the peer (`acceptor`). */
export type ConnectionRole = "dialer" | "acceptor";

/**
 * Where a connection is in its life: `opening` (dialed, not yet connected), `handshake`,
 * `established`, `closed`.
 */
export type ConnectionPhase = "opening" | "handshake" | "established" | "closed";

/** What a connection tells its owner (the channel node). @internal */
export interface ConnectionOwner<M> {
  /** A dialed stream opened: time to send the hello. */
  opened(connection: Connection<M>): void;
  /** The first frame arrived. The owner establishes the connection or shuts it down. */
  handshake(connection: Connection<M>, payload: Uint8Array): void;
  /** A frame arrived after the handshake; throwing closes the connection as malformed. */
  frame(connection: Connection<M>, payload: Uint8Array): void;
  /** The stream drained after a write returned false. */
  drained(connection: Connection<M>): void;
  /** The connection ended without the owner asking (peer, network, timeout, bad bytes). */
  lost(connection: Connection<M>, reason: string, error: Error | undefined): void;
}

/** Byte and frame counters shared by every connection of a node. @internal */
export interface TrafficCounters {
  bytesSent: number;
  bytesReceived: number;
  writes: number;
}

const pingFrame = encodeFrame(Uint8Array.of(kinds.ping));

/**
 * One byte stream to a peer with the channel's framing and liveness on it: the handshake frame,
 * then frames through a `FrameDecoder` bounded by `frameBytesMax`, keep-alive pings after
 * `heartbeatIntervalMs` without writing, and a close after `readIdleTimeoutMs` without reading.
 * The protocol above (who may connect, what frames mean) is the owner's.
 *
 * @internal
 */
export class Connection<M> {
  readonly role: ConnectionRole;
  /** The peer: known from the start when dialing, from the hello when accepting. */
  peer: NodeId | undefined;
  /** This node's number for the dial that opened it (dialers only). */
  dialSeq = 0;
  /** The connection's number among the peer's established connections (0 until established). */
  epoch = 0;
  /** Requests written on this connection and not yet answered, by correlation id. */
  readonly inflight = new Map<number, PendingRequest<M>>();
  /** Resolves once the stream has closed. */
  readonly closed: Promise<void>;
  readonly #options: ResolvedOptions<M>;
  readonly #owner: ConnectionOwner<M>;
  readonly #traffic: TrafficCounters;
  #stream: ByteStream | undefined;
  #phase: ConnectionPhase;
  #writable = true;
  #handshakeBuffer = new Uint8Array(0);
  #decoder: FrameDecoder | undefined;
  #lastReadMs: number;
  #lastWriteMs: number;
  #cancelTimer: Cancel = () => undefined;
  #streamClosed = false;
  #resolveClosed: () => void = () => undefined;

  constructor(
    role: ConnectionRole,
    peer: NodeId | undefined,
    options: ResolvedOptions<M>,
    owner: ConnectionOwner<M>,
    traffic: TrafficCounters,
  ) {
    this.role = role;
    this.peer = peer;
    this.#options = options;
    this.#owner = owner;
    this.#traffic = traffic;
    this.#phase = role === "dialer" ? "opening" : "handshake";
    this.#lastReadMs = this.#lastWriteMs = options.clock.monotonicMs();
    this.closed = new Promise((resolve) => (this.#resolveClosed = resolve));
    this.#cancelTimer = options.scheduler.after(options.connectTimeoutMs, () =>
      this.#lose(`no handshake within connectTimeoutMs (${options.connectTimeoutMs} ms)`),
    );
  }

  /** The handlers to give the stream's driver. */
  handlers(): StreamHandlers {
    return {
      onOpen: () => {
        if (this.#phase !== "opening") return;
        this.#phase = "handshake";
        this.#owner.opened(this);
      },
      onData: (chunk) => this.#data(chunk),
      onDrain: () => {
        this.#writable = true;
        if (this.#phase === "established") this.#owner.drained(this);
      },
      onClose: (error) => {
        this.#streamClosed = true;
        this.#resolveClosed();
        if (this.#phase === "closed") this.#cancelTimer(); // a graceful close finished
        this.#lose(error === undefined ? "the peer closed the connection" : error.message, error);
      },
    };
  }

  /** Binds the stream (right after dialing or accepting). */
  attach(stream: ByteStream): void {
    this.#stream = stream;
  }

  /** The stream, for its labels. */
  get stream(): ByteStream | undefined {
    return this.#stream;
  }

  /** The phase. */
  get phase(): ConnectionPhase {
    return this.#phase;
  }

  /** Whether the stream takes writes now (it has not asked to wait for a drain). */
  get writable(): boolean {
    return this.#writable && this.#phase !== "closed";
  }

  /** Who is on the other end, for logs. */
  get label(): string {
    return `${this.peer ?? "(unknown peer)"} at ${this.#stream?.remoteLabel ?? "?"}`;
  }

  /** Writes bytes (whole frames); returns whether more may be written before a drain. */
  write(bytes: Uint8Array): boolean {
    if (this.#phase === "closed" || this.#stream === undefined) return false;
    this.#traffic.bytesSent += bytes.length;
    this.#traffic.writes++;
    this.#lastWriteMs = this.#options.clock.monotonicMs();
    this.#writable = this.#stream.write(bytes);
    return this.#writable;
  }

  /**
   * The handshake succeeded: frames flow from now on (bytes that followed the handshake frame in
   * the same read are decoded as soon as the owner's `handshake` returns).
   */
  establish(epoch: number): void {
    this.epoch = epoch;
    this.#phase = "established";
    this.#decoder = new FrameDecoder({ frameBytesMax: this.#options.frameBytesMax });
    this.#cancelTimer();
    this.#scheduleTick();
  }

  /**
   * Closes on the owner's request; `lost` is not called. `graceful` sends what the stream holds
   * first (within `connectTimeoutMs`, then the stream is destroyed).
   */
  shutdown(graceful: boolean): void {
    if (this.#phase === "closed") return;
    this.#phase = "closed";
    this.#cancelTimer();
    const stream = this.#stream;
    if (stream === undefined) this.#resolveClosed();
    if (stream === undefined || this.#streamClosed) return;
    if (!graceful) {
      stream.destroy();
      return;
    }
    stream.end();
    this.#cancelTimer = this.#options.scheduler.after(this.#options.connectTimeoutMs, () => {
      if (!this.#streamClosed) stream.destroy();
    });
  }

  /** Closes because of something wrong on this connection; the owner hears of it by `lost`. */
  fail(reason: string, error?: Error): void {
    this.#lose(reason, error);
  }

  #lose(reason: string, error?: Error): void {
    if (this.#phase === "closed") return;
    this.shutdown(false);
    this.#owner.lost(this, reason, error);
  }

  #data(chunk: Uint8Array): void {
    if (this.#phase === "closed") return;
    this.#traffic.bytesReceived += chunk.length;
    this.#lastReadMs = this.#options.clock.monotonicMs();
    if (this.#phase === "established") this.#frames(chunk);
    else if (this.#phase === "handshake") this.#handshakeData(chunk);
  }

  #handshakeData(chunk: Uint8Array): void {
    const buffered = new Uint8Array(this.#handshakeBuffer.length + chunk.length);
    buffered.set(this.#handshakeBuffer);
    buffered.set(chunk, this.#handshakeBuffer.length);
    const result = readFrame(buffered, 0, { frameBytesMax: handshakeBytesMax });
    switch (result.status) {
      case "incomplete":
        this.#handshakeBuffer = buffered;
        return;
      case "zeros":
      case "corrupt":
        this.#lose(
          `the first bytes are not a handshake frame (${
            result.status === "zeros" ? "zeros" : `${result.reason}, ${result.payloadBytes} bytes`
          })`,
        );
        return;
      case "frame":
        this.#handshakeBuffer = new Uint8Array(0);
        this.#owner.handshake(this, result.payload);
        if (this.#phase === "established" && result.end < buffered.length) {
          this.#frames(buffered.subarray(result.end));
        }
        return;
    }
  }

  #frames(chunk: Uint8Array): void {
    const decoder = this.#decoder;
    if (decoder === undefined) return;
    try {
      for (const payload of decoder.push(chunk)) {
        if (this.#phase !== "established") return;
        this.#owner.frame(this, payload);
      }
    } catch (error) {
      const cause = error instanceof Error ? error : new Error(String(error));
      this.#lose(`malformed input from the peer: ${cause.message}`, cause);
    }
  }

  #scheduleTick(): void {
    const { heartbeatIntervalMs, readIdleTimeoutMs, clock, scheduler } = this.#options;
    this.#cancelTimer = scheduler.after(heartbeatIntervalMs, () => {
      if (this.#phase !== "established") return;
      const now = clock.monotonicMs();
      if (now - this.#lastReadMs >= readIdleTimeoutMs) {
        this.#lose(`no bytes from the peer for ${Math.round(now - this.#lastReadMs)} ms`);
        return;
      }
      if (now - this.#lastWriteMs >= heartbeatIntervalMs && this.#writable) this.write(pingFrame);
      this.#scheduleTick();
    });
  }
}
