// A lean HTTP/1.1 client for the load generator: one request at a time on a keep-alive TCP
// connection, written in one piece and parsed by hand (Content-Length or chunked bodies). It costs
// a fraction of node:http's client per request, so on a small machine the generator leaves the CPU
// to the systems it measures.
import { connect, type Socket } from "node:net";

interface Waiting {
  readonly resolve: (answer: { status: number; body: Buffer }) => void;
  readonly reject: (error: Error) => void;
}

const headerEnd = Buffer.from("\r\n\r\n");

/** One keep-alive connection to `host:port`; reconnects on the next request after a failure. */
export class RawHttpConnection {
  #socket: Socket | undefined;
  #buffer: Buffer = Buffer.alloc(0);
  #waiting: Waiting | undefined;

  constructor(
    readonly host: string,
    readonly port: number,
  ) {}

  /** Sends one request and resolves with the status and the whole body. */
  request(
    method: string,
    path: string,
    body?: Uint8Array | string,
  ): Promise<{ status: number; body: Buffer }> {
    const payload = body === undefined ? Buffer.alloc(0) : Buffer.from(body);
    const head =
      `${method} ${path} HTTP/1.1\r\nHost: ${this.host}:${this.port}\r\n` +
      `Content-Length: ${payload.length}\r\n\r\n`;
    return new Promise((resolve, reject) => {
      this.#waiting = { resolve, reject };
      this.#open().write(Buffer.concat([Buffer.from(head), payload]));
    });
  }

  /** Closes the connection. */
  close(): void {
    this.#socket?.destroy();
    this.#socket = undefined;
  }

  #open(): Socket {
    if (this.#socket !== undefined) return this.#socket;
    const socket = connect(this.port, this.host);
    socket.setNoDelay(true);
    socket.on("data", (chunk: Buffer) => {
      this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
      this.#parse();
    });
    const fail = (error: Error): void => {
      this.#socket = undefined;
      this.#buffer = Buffer.alloc(0);
      const waiting = this.#waiting;
      this.#waiting = undefined;
      waiting?.reject(error);
    };
    socket.on("error", fail);
    socket.on("close", () => fail(new Error("the connection closed")));
    this.#socket = socket;
    return socket;
  }

  #parse(): void {
    const end = this.#buffer.indexOf(headerEnd);
    if (end < 0 || this.#waiting === undefined) return;
    const head = this.#buffer.subarray(0, end).toString("latin1");
    const status = Number(head.slice(9, 12));
    const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
    const rest = this.#buffer.subarray(end + 4);
    let body: Buffer | undefined;
    let used = 0;
    if (length !== null) {
      const bytes = Number(length[1]);
      if (rest.length < bytes) return;
      body = rest.subarray(0, bytes);
      used = bytes;
    } else if (/\r\ntransfer-encoding:\s*chunked/i.test(head)) {
      const chunks: Buffer[] = [];
      for (let at = 0; ;) {
        const lineEnd = rest.indexOf("\r\n", at);
        if (lineEnd < 0) return;
        const size = parseInt(rest.subarray(at, lineEnd).toString("latin1"), 16);
        if (rest.length < lineEnd + 2 + size + 2) return;
        if (size === 0) {
          used = lineEnd + 4;
          break;
        }
        chunks.push(rest.subarray(lineEnd + 2, lineEnd + 2 + size));
        at = lineEnd + 2 + size + 2;
      }
      body = Buffer.concat(chunks);
    } else {
      body = Buffer.alloc(0);
    }
    this.#buffer = rest.subarray(used);
    const waiting = this.#waiting;
    this.#waiting = undefined;
    waiting.resolve({ status, body: Buffer.from(body) });
  }
}
