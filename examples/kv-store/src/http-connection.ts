// One client connection of the store's HTTP server (http-server.ts): parsing requests from the
// byte stream, calling the handler, and writing answers in request order.
import type { Socket } from "node:net";
import { HttpProtocolError, parseRequestHead, type RequestHead } from "./http-head.ts";
import {
  encodeAnswer,
  noBody,
  protocolAnswer,
  refusalSlot,
  type HttpAnswer,
  type Slot,
} from "./http-answer.ts";

/**
 * Answers one request. `body` may be a view of the bytes received: keep it only as long as the
 * request needs it, or copy it. A rejection is answered 500.
 */
export type HttpHandler = (request: RequestHead, body: Uint8Array) => Promise<HttpAnswer>;

/** What a connection needs from its server. */
export interface ConnectionHost {
  readonly handler: HttpHandler;
  readonly onHandlerError: ((error: unknown) => void) | undefined;
  readonly limits: {
    readonly headBytesMax: number;
    readonly bodyBytesMax: number;
    readonly pipelineMax: number;
  };
  /** The server's clock in milliseconds, advanced by its sweep. */
  readonly tick: number;
  /** The Date header's value. */
  readonly date: string;
  /** Drops a closed connection. */
  forget(connection: Connection): void;
}

const headEnd = Buffer.from("\r\n\r\n");
const continueLine = "HTTP/1.1 100 Continue\r\n\r\n";

/** One client connection: its unparsed bytes, the request being read, and answers awaited. */
export class Connection {
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
    readonly server: ConnectionHost,
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
