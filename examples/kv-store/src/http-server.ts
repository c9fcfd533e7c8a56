// A small HTTP/1.1 server on node:net for the store's API: Content-Length bodies, keep-alive,
// pipelining with answers in request order, `Expect: 100-continue`, limits, and timeouts kept by
// one periodic sweep. It does per request only what the API needs — parse the head where it lies,
// call the handler, write the answer in one piece — which costs about half of node:http's server.
import { createServer, type Server, type Socket } from "node:net";
import { Connection, type ConnectionHost, type HttpHandler } from "./http-connection.ts";

export type { HttpAnswer } from "./http-answer.ts";
export type { HttpHandler } from "./http-connection.ts";

/** Options of {@link HttpServer}. */
export interface HttpServerOptions {
  /** Largest request line plus headers, in bytes; a larger head is answered 431. Default 16 KiB. */
  readonly headBytesMax?: number;
  /** Largest body, in bytes; a larger one is answered 413 before it is read. Default 1 MiB. */
  readonly bodyBytesMax?: number;
  /** A connection with nothing in flight and no bytes for this long is closed. Default 60 s. */
  readonly idleTimeoutMs?: number;
  /** A request whose head or body is still incomplete after this long gets 408. Default 10 s. */
  readonly requestTimeoutMs?: number;
  /** Requests in flight per connection before it stops reading (pipelining). Default 64. */
  readonly pipelineMax?: number;
  /** Called with each failed handler's error before it is answered 500. */
  readonly onHandlerError?: (error: unknown) => void;
}

/** An HTTP/1.1 server for one handler; see the file's opening comment for what it supports. */
export class HttpServer implements ConnectionHost {
  readonly limits: Required<Omit<HttpServerOptions, "onHandlerError">>;
  readonly onHandlerError: ((error: unknown) => void) | undefined;
  /** Milliseconds since listening, advanced by the sweep: connections note times in it. */
  tick = 0;
  /** The Date header's value, refreshed by the sweep. */
  date = new Date().toUTCString();
  readonly #server: Server;
  readonly #connections = new Set<Connection>();
  #sweep: NodeJS.Timeout | undefined;
  readonly #sweepMs: number;

  constructor(
    readonly handler: HttpHandler,
    options: HttpServerOptions = {},
  ) {
    this.limits = {
      headBytesMax: positive("headBytesMax", options.headBytesMax, 16 * 1024),
      bodyBytesMax: positive("bodyBytesMax", options.bodyBytesMax, 1024 * 1024),
      idleTimeoutMs: positive("idleTimeoutMs", options.idleTimeoutMs, 60_000),
      requestTimeoutMs: positive("requestTimeoutMs", options.requestTimeoutMs, 10_000),
      pipelineMax: positive("pipelineMax", options.pipelineMax, 64),
    };
    this.onHandlerError = options.onHandlerError;
    // Timeouts are checked this often, so they hold to within one sweep.
    this.#sweepMs = Math.min(1000, this.limits.idleTimeoutMs, this.limits.requestTimeoutMs);
    this.#server = createServer((socket) => this.serve(socket));
  }

  /** Starts listening; resolves once bound, rejects when the port cannot be had. */
  listen(port: number, host: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#server.once("error", reject);
      this.#server.listen(port, host, () => {
        this.#server.off("error", reject);
        this.#sweep = setInterval(() => this.#sweepOnce(), this.#sweepMs);
        this.#sweep.unref();
        resolve();
      });
    });
  }

  /** The port listened on (useful after listening on port 0). */
  get port(): number {
    const address = this.#server.address();
    if (address === null || typeof address === "string") {
      throw new Error("The HTTP server is not listening.");
    }
    return address.port;
  }

  /** Stops listening and closes every connection, answered or not. */
  close(): Promise<void> {
    clearInterval(this.#sweep);
    return new Promise((resolve) => {
      this.#server.close(() => resolve());
      for (const connection of this.#connections) connection.socket.destroy();
      this.#connections.clear();
    });
  }

  /** Serves requests arriving on `socket`, an accepted connection (the listener calls this). */
  serve(socket: Socket): void {
    this.#connections.add(new Connection(socket, this));
  }

  /** @internal Drops a closed connection. */
  forget(connection: Connection): void {
    this.#connections.delete(connection);
  }

  #sweepOnce(): void {
    this.tick += this.#sweepMs;
    this.date = new Date().toUTCString();
    const { idleTimeoutMs, requestTimeoutMs } = this.limits;
    for (const connection of this.#connections) {
      if (connection.endedAt >= 0) {
        // Answered and ended: the client had a sweep's time to read; let go.
        if (this.tick - connection.endedAt >= 2 * this.#sweepMs) connection.socket.destroy();
      } else if (connection.closing) {
        continue;
      } else if (connection.incompleteSince >= 0) {
        if (this.tick - connection.incompleteSince >= requestTimeoutMs) connection.timeOut();
      } else if (!connection.busy && this.tick - connection.seenAt >= idleTimeoutMs) {
        connection.socket.destroy();
      }
    }
  }
}

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new RangeError(`HttpServer option ${name} must be a positive integer, got ${value}.`);
  }
  return value;
}
