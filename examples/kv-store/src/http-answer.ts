// Answers of the store's HTTP server (http-server.ts) and their bytes on the wire.
import { STATUS_CODES } from "node:http";
import type { HttpProtocolError } from "./http-head.ts";

/** An answer: status, extra headers as a flat name/value list, and a body (a string is UTF-8). */
export interface HttpAnswer {
  readonly status: number;
  /** Header names and values, alternating; Content-Length, Date and Connection are added. */
  readonly headers?: readonly string[];
  readonly body?: Uint8Array | string;
}

/** A request's place in its connection's answer order, and how its answer is framed. */
export interface Slot {
  bytes: Buffer | string | undefined;
  /** The connection ends after this answer. */
  readonly close: boolean;
  /** An HTTP/1.0 client that asked to keep the connection: say it stays open. */
  readonly sayKeepAlive: boolean;
  /** A HEAD request: headers only. */
  readonly headersOnly: boolean;
}

/** How a refusal is framed: the connection ends after it. */
export const refusalSlot = { close: true, sayKeepAlive: false, headersOnly: false } as const;

/** An empty body. */
export const noBody = new Uint8Array(0);

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
export function protocolAnswer(error: HttpProtocolError): HttpAnswer {
  return {
    status: error.status,
    headers: ["content-type", "application/json"],
    body: JSON.stringify({ error: error.code, message: error.message }),
  };
}

/**
 * The bytes of an answer: status line, headers, Content-Length, Date and, when the connection
 * ends after it (or stays open for an HTTP/1.0 client), Connection; then the body, unless the
 * request was HEAD.
 */
export function encodeAnswer(answer: HttpAnswer, date: string, slot: Slot): Buffer | string {
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
