// The byte-stream port the channel runs on: ordered, reliable byte streams between nodes, such as
// TCP connections (createTcpDriver) or the simulated streams of createTransportStreamDriver. The
// channel adds everything else — framing, handshake, liveness, requests — on top.

/**
 * What a stream tells its owner. The driver calls these outside the stack of any call into the
 * stream, in order, and calls nothing after `onClose`.
 */
export interface StreamHandlers {
  /** A dialed stream is open and may be written (TCP connected, TLS handshake done). */
  readonly onOpen: () => void;
  /** The next bytes of the stream, in order. The chunk is the owner's to keep. */
  readonly onData: (chunk: Uint8Array) => void;
  /** The stream accepts writes again after a `write` returned `false`. */
  readonly onDrain: () => void;
  /**
   * The stream is closed, exactly once: by the peer, by the network, or after the owner's `end` or
   * `destroy`. `error` tells why when it failed.
   */
  readonly onClose: (error: Error | undefined) => void;
}

/** One ordered, reliable byte stream to another node. */
export interface ByteStream {
  /** The remote end, for logs (e.g. `"127.0.0.1:53214"`). */
  readonly remoteLabel: string;
  /**
   * The name the peer proved with its certificate (the common name of a verified TLS client or
   * server certificate; `""` if it has none), or `undefined` without TLS.
   */
  readonly peerCertificateName: string | undefined;
  /**
   * Queues `bytes` for sending, in order. Returns `false` when the stream's buffer is full: the
   * owner should wait for `onDrain` before writing more. The stream keeps `bytes` until sent; do
   * not reuse them.
   */
  write(bytes: Uint8Array): boolean;
  /** Sends what is queued, then closes the stream gracefully; `onClose` follows. */
  end(): void;
  /** Closes the stream at once, dropping what is queued; `onClose` follows. */
  destroy(): void;
}

/** What a listener tells its owner. */
export interface ListenHandlers {
  /** A new inbound stream; returns the handlers for its events. */
  readonly accept: (stream: ByteStream) => StreamHandlers;
  /**
   * An inbound connection failed before it became a stream (a TLS client without a valid
   * certificate, say).
   */
  readonly rejected: (remoteLabel: string, error: Error) => void;
  /** The listener reported an error after it started (it may have stopped accepting). */
  readonly failed: (error: Error) => void;
}

/**
 * Opens and accepts byte streams. `A` is an address: `{ host, port }` for TCP, a node id for the
 * simulated streams.
 *
 * @typeParam A - the address type.
 */
export interface StreamDriver<A> {
  /**
   * Starts connecting to `address`. Events go to `handlers`: `onOpen` once connected, or `onClose`
   * with the error when the attempt fails. Never calls a handler synchronously.
   */
  dial(address: A, handlers: StreamHandlers): ByteStream;
  /**
   * Starts accepting streams at `address` (a driver may pick a free port for port 0).
   *
   * @returns the address others reach this listener at.
   */
  listen(address: A, handlers: ListenHandlers): Promise<A>;
  /**
   * Stops listening and destroys every inbound connection still open (the channel calls it after
   * closing its own streams). Idempotent.
   */
  close(): Promise<void>;
  /** Renders an address for logs. */
  describe(address: A): string;
}
