// The head of an HTTP/1.x request (request line and header fields), parsed from its bytes by the
// store's HTTP server (http-server.ts). Strict where leniency invites trouble: one Content-Length,
// no obsolete line folding, no bare line feeds, no transfer codings.

/** A request refused before it reached the API: the status to answer with, a code and a reason. */
export class HttpProtocolError extends Error {
  constructor(
    /** The HTTP status of the refusal (400, 408, 411, 413, 431). */
    readonly status: number,
    /** A stable upper-case code for the JSON error body. */
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "HttpProtocolError";
  }
}

/** The parsed head of one request. */
export class RequestHead {
  constructor(
    /** The method, as sent (methods are case-sensitive). */
    readonly method: string,
    /** The request target, as sent: usually `/path?query`. */
    readonly target: string,
    /** The minor HTTP version: 0 for HTTP/1.0, 1 for HTTP/1.1. */
    readonly minorVersion: 0 | 1,
    /** Header names (lower case) and their values, alternating, in the order sent. */
    readonly headerList: readonly string[],
    /** The body's length in bytes (0 without Content-Length). */
    readonly contentLength: number,
    /** Whether the connection stays open after the answer. */
    readonly keepAlive: boolean,
    /** Whether the client waits for `100 Continue` before it sends the body. */
    readonly expectsContinue: boolean,
  ) {}

  /** The value of header `name` (lower case), or undefined; the first when repeated. */
  header(name: string): string | undefined {
    const list = this.headerList;
    for (let i = 0; i < list.length; i += 2) if (list[i] === name) return list[i + 1];
    return undefined;
  }
}

const requestLine = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+) ([\x21-\x7e]+) HTTP\/1\.([01])$/;
const token = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const digits = /^[0-9]{1,15}$/;

function badRequest(message: string): HttpProtocolError {
  return new HttpProtocolError(400, "BAD_REQUEST", message);
}

/** Whether `value` holds a control character other than tab (a CR or LF would split a header). */
function hasControl(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if ((code < 0x20 && code !== 0x09) || code === 0x7f) return true;
  }
  return false;
}

/** `value` without leading and trailing spaces and tabs (the only whitespace around a value). */
function trimmed(value: string): string {
  let start = 0;
  let end = value.length;
  while (start < end && (value[start] === " " || value[start] === "\t")) start++;
  while (end > start && (value[end - 1] === " " || value[end - 1] === "\t")) end--;
  return start === 0 && end === value.length ? value : value.slice(start, end);
}

/** Whether the comma-separated list `value` holds `option` (case-insensitive). */
function listHas(value: string, option: string): boolean {
  for (const item of value.split(",")) if (trimmed(item).toLowerCase() === option) return true;
  return false;
}

/**
 * Parses a request head: `text` is its bytes as latin1 (one character per byte) from the request
 * line up to, not including, the blank line that ends it. Throws {@link HttpProtocolError}:
 * 400 for a malformed line, a missing Host (HTTP/1.1), or a bad or conflicting Content-Length;
 * 411 for a body sent with a transfer coding (only Content-Length bodies are read); 431 for more
 * than `fieldsMax` header fields.
 */
export function parseRequestHead(text: string, fieldsMax = 100): RequestHead {
  const lines = text.split("\r\n");
  const first = requestLine.exec(lines[0]!);
  if (first === null) {
    throw badRequest("The request line must be: METHOD SP target SP HTTP/1.1 (or HTTP/1.0).");
  }
  if (lines.length - 1 > fieldsMax) {
    throw new HttpProtocolError(
      431,
      "HEADERS_TOO_LARGE",
      `The request has more than ${fieldsMax} header fields.`,
    );
  }
  const minorVersion = first[3] === "1" ? 1 : 0;
  const headerList: string[] = [];
  let contentLength: string | undefined;
  let connection: string | undefined;
  let expect: string | undefined;
  let host = false;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    const colon = line.indexOf(":");
    if (colon <= 0 || !token.test(line.slice(0, colon))) {
      throw badRequest(`Header line ${i} is not "name: value" (no folding, no space before ":").`);
    }
    const name = line.slice(0, colon).toLowerCase();
    const value = trimmed(line.slice(colon + 1));
    if (hasControl(value)) {
      throw badRequest(`Header ${name} holds a control character (a bare CR or LF?).`);
    }
    headerList.push(name, value);
    if (name === "content-length") {
      if (!digits.test(value) || (contentLength !== undefined && contentLength !== value)) {
        throw badRequest("Content-Length must be one decimal number of bytes, sent once.");
      }
      contentLength = value;
    } else if (name === "transfer-encoding") {
      throw new HttpProtocolError(
        411,
        "LENGTH_REQUIRED",
        "Bodies with Transfer-Encoding are not accepted: send the body with Content-Length.",
      );
    } else if (name === "connection") {
      connection = connection === undefined ? value : `${connection},${value}`;
    } else if (name === "expect") {
      expect = value;
    } else if (name === "host") {
      host = true;
    }
  }
  if (minorVersion === 1 && !host) throw badRequest("An HTTP/1.1 request needs a Host header.");
  const keepAlive =
    connection === undefined
      ? minorVersion === 1
      : minorVersion === 1
        ? !listHas(connection, "close")
        : listHas(connection, "keep-alive");
  return new RequestHead(
    first[1]!,
    first[2]!,
    minorVersion,
    headerList,
    contentLength === undefined ? 0 : Number(contentLength),
    keepAlive,
    minorVersion === 1 && expect !== undefined && expect.toLowerCase() === "100-continue",
  );
}
