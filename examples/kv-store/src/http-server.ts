// A small HTTP/1.1 server on node:net for the store's API: Content-Length bodies, keep-alive,
// pipelining with answers in request order, `Expect: 100-continue`, limits, and timeouts kept by
// one periodic sweep. It does per request only what the API needs — parse the head where it lies,
// call the handler, write the answer in one piece — which costs about half of node:http's server.
import { createServer, type Server, type Socket } from "node:net";
import { STATUS_CODES } from "node:http";
import { HttpProtocolError, parseRequestHead, type RequestHead } from "./http-head.ts";

/** An answer: status, extra headers as a flat name/value list, and a body (a string is UTF-8). */
export interface HttpAnswer {
  readonly status: number;
  /** Header names and values, alternating; Content-Length, Date and Connection are added. */
  readonly headers?: readonly string[];
  readonly body?: Uint8Array | string;
}

/**
 * Answers one request. `body` may be a view of the bytes received: keep it only as long as the
 * request needs it, or copy it. A rejection is answered 500.
 */
export type HttpHandler = (request: RequestHead, body: Uint8Array) => Promise<HttpAnswer>;

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

/** A request's place in its connection's answer order, and how its answer is framed. */
interface Slot {
  bytes: Buffer | string | undefined;
  /** The connection ends after this answer. */
  readonly close: boolean;
  /** An HTTP/1.0 client that asked to keep the connection: say it stays open. */
  readonly sayKeepAlive: boolean;
  /** A HEAD request: headers only. */
  readonly headersOnly: boolean;
}

const refusalSlot = { close: true, sayKeepAlive: false, headersOnly: false } as const;

const headEnd = Buffer.from("\r\n\r\n");
const continueLine = "HTTP/1.1 100 Continue\r\n\r\n";
const noBody = new Uint8Array(0);

/** `HTTP/1.1 <status> <reason>\r\n`, built once per status. */
const statusLines = new Map<number, string>();
function statusLine(status: number): string {
  let line = statusLines.get(status);
  if (line === undefined) {
    line = `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? "Status"}\r\n`;
    statusLines.set(status, line);
  }
  return line;
}

/** The JSON error answer the API gives too: `{ error, message }`. */
function protocolAnswer(error: HttpProtocolError): HttpAnswer {
  return {
    status: error.status,
    headers: ["content-type", "application/json"],
    body: JSON.stringify({ error: error.code, message: error.message }),
  };
}

/** One client connection: its unparsed bytes, the request being read, and answers awaited. */
class Connection {
  /** Bytes of an incomplete head. */
  #partial: Buffer | undefined;
  /** The request whose body is being received into #body. */
  #head: RequestHead | undefined;
  #body: Uint8Array = noBody;
  #bodyFilled = 0;
  /** Answers in request order; the first is written as soon as it is ready. */
  readonly #queue: Slot[] = [];
  /** No more requests are read: an answer closes the connection, or it failed. */
  #closing = false;
  #paused = false;
  #awaitingDrain = false;
  /** Server ticks (ms) of the last bytes received, of the start of an incomplete request, and of
   * ending the connection after its last answer (-1: not so). */
  seenAt: number;
  incompleteSince = -1;
  endedAt = -1;

  constructor(
    readonly socket: Socket,
    readonly server: HttpServer,
  ) {
    this.seenAt = server.tick;
    socket.setNoDelay(true);
    socket.on("data", (chunk: Buffer) => this.#receive(chunk));
    socket.on("drain", () => {
      this.#awaitingDrain = false;
      this.#resume();
    });
    socket.on("error", () => socket.destroy());
    socket.on("close", () => server.forget(this));
  }

  get busy(): boolean {
    return this.#queue.length > 0;
  }

  get closing(): boolean {
    return this.#closing;
  }

  /** Refuses the request being read (408 after the request timeout), then closes. */
  timeOut(): void {
    this.#refuse(
      new HttpProtocolError(408, "REQUEST_TIMEOUT", "The request did not arrive in time."),
    );
  }

  #receive(chunk: Buffer): void {
    if (this.#closing) return;
    this.seenAt = this.server.tick;
    let data = chunk;
    let offset = 0;
    if (this.#partial !== undefined) {
      data = Buffer.concat([this.#partial, chunk]);
      this.#partial = undefined;
    }
    const limits = this.server.limits;
    while (!this.#paused && !this.#closing) {
      if (this.#head !== undefined) {
        // The rest of a body that did not arrive with its head.
        const take = Math.min(this.#body.length - this.#bodyFilled, data.length - offset);
        this.#body.set(data.subarray(offset, offset + take), this.#bodyFilled);
        this.#bodyFilled += take;
        offset += take;
        if (this.#bodyFilled < this.#body.length) break;
        const head = this.#head;
        this.#head = undefined;
        this.#dispatch(head, this.#body);
        this.#body = noBody;
        continue;
      }
      // Empty lines before a request line are ignored (some clients send one after a body).
      while (offset + 1 < data.length && data[offset] === 13 && data[offset + 1] === 10) {
        offset += 2;
      }
      if (offset === data.length) break;
      const end = data.indexOf(headEnd, offset);
      if (end < 0 || end - offset > limits.headBytesMax) {
        if (end >= 0 || data.length - offset > limits.headBytesMax) {
          this.#refuse(
            new HttpProtocolError(
              431,
              "HEADERS_TOO_LARGE",
              `The request line and headers exceed ${limits.headBytesMax} bytes.`,
            ),
          );
          return;
        }
        this.#partial = data.subarray(offset);
        break;
      }
      let head: RequestHead;
      try {
        head = parseRequestHead(data.toString("latin1", offset, end));
      } catch (error) {
        this.#refuse(error as HttpProtocolError);
        return;
      }
      offset = end + 4;
      const length = head.contentLength;
      if (length > limits.bodyBytesMax) {
        this.#refuse(
          new HttpProtocolError(
            413,
            "TOO_LARGE",
            `The body exceeds ${limits.bodyBytesMax} bytes, the largest value allowed.`,
          ),
        );
        return;
      }
      if (data.length - offset >= length) {
        const body = length === 0 ? noBody : data.subarray(offset, offset + length);
        offset += length;
        this.#dispatch(head, body);
        continue;
      }
      this.#head = head;
      this.#body = new Uint8Array(length);
      this.#bodyFilled = 0;
      // With answers still due, a 100 Continue would come out of order: the client then sends
      // the body after its own wait (curl waits one second).
      if (head.expectsContinue && this.#queue.length === 0 && offset === data.length) {
        this.socket.write(continueLine);
      }
    }
    if (this.#paused && offset < data.length) this.#partial = data.subarray(offset);
    // Bytes held while paused wait for the server, not the client: no request timeout for them.
    const incomplete = !this.#paused && (this.#partial !== undefined || this.#head !== undefined);
    if (!incomplete) this.incompleteSince = -1;
    else if (this.incompleteSince < 0) this.incompleteSince = this.server.tick;
  }

  #dispatch(head: RequestHead, body: Uint8Array): void {
    const slot: Slot = {
      bytes: undefined,
      close: !head.keepAlive,
      sayKeepAlive: head.keepAlive && head.minorVersion === 0,
      headersOnly: head.method === "HEAD",
    };
    this.#queue.push(slot);
    if (slot.close) this.#closing = true;
    else if (this.#queue.length >= this.server.limits.pipelineMax) this.#pause();
    this.server.handler(head, body).then(
      (answer) => this.#settle(slot, answer),
      (error: unknown) => {
        this.server.onHandlerError?.(error);
        this.#settle(slot, {
          status: 500,
          body: JSON.stringify({ error: "INTERNAL", message: String(error) }),
        });
      },
    );
  }

  /** Answers with `error` after the answers already awaited, and closes. */
  #refuse(error: HttpProtocolError): void {
    this.#closing = true;
    this.#partial = undefined;
    this.#head = undefined;
    const slot: Slot = { bytes: undefined, ...refusalSlot };
    this.#queue.push(slot);
    this.#settle(slot, protocolAnswer(error));
  }

  #settle(slot: Slot, answer: HttpAnswer): void {
    slot.bytes = encodeAnswer(answer, this.server.date, slot);
    const queue = this.#queue;
    if (queue[0] !== slot) return;
    for (let ready = queue[0]; ready?.bytes !== undefined; ready = queue[0]) {
      queue.shift();
      if (this.socket.destroyed) return;
      if (!this.socket.write(ready.bytes)) this.#awaitingDrain = true;
      if (ready.close) {
        this.socket.end();
        this.endedAt = this.server.tick;
        return;
      }
    }
    if (this.#awaitingDrain) this.#pause();
    else this.#resume();
  }

  #pause(): void {
    if (this.#paused) return;
    this.#paused = true;
    this.socket.pause();
  }

  #resume(): void {
    if (!this.#paused || this.#awaitingDrain) return;
    if (this.#queue.length >= this.server.limits.pipelineMax) return;
    this.#paused = false;
    this.socket.resume();
    // Requests received before the pause are read now.
    const held = this.#partial;
    this.#partial = undefined;
    if (held !== undefined) this.#receive(held);
  }
}

/**
 * The bytes of an answer: status line, headers, Content-Length, Date and, when the connection
 * ends after it (or stays open for an HTTP/1.0 client), Connection; then the body, unless the
 * request was HEAD.
 */
function encodeAnswer(answer: HttpAnswer, date: string, slot: Slot): Buffer | string {
  const body = answer.body ?? noBody;
  let head = statusLine(answer.status);
  const extra = answer.headers;
  if (extra !== undefined) {
    for (let i = 0; i < extra.length; i += 2) head += `${extra[i]}: ${extra[i + 1]}\r\n`;
  }
  const bodyBytes = typeof body === "string" ? Buffer.byteLength(body) : body.length;
  head += `content-length: ${bodyBytes}\r\ndate: ${date}\r\n`;
  if (slot.close) head += "connection: close\r\n";
  else if (slot.sayKeepAlive) head += "connection: keep-alive\r\n";
  head += "\r\n";
  if (slot.headersOnly) return head;
  if (typeof body === "string") return head + body;
  const bytes = Buffer.allocUnsafe(head.length + body.length);
  bytes.write(head, 0, "latin1");
  bytes.set(body, head.length);
  return bytes;
}

/** An HTTP/1.1 server for one handler; see the file's opening comment for what it supports. */
export class HttpServer {
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
