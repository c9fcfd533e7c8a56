import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { HttpProtocolError, parseRequestHead } from "./http-head.ts";

function refusal(text: string): { status: number; code: string } {
  try {
    parseRequestHead(text);
  } catch (error) {
    expect(error).toBeInstanceOf(HttpProtocolError);
    const { status, code } = error as HttpProtocolError;
    return { status, code };
  }
  throw new Error(`accepted: ${JSON.stringify(text)}`);
}

describe("parseRequestHead", () => {
  it("reads the request line and headers: names in lower case, values trimmed, first wins", () => {
    const head = parseRequestHead(
      "PUT /kv/a%20b?x=1 HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nX-Two:\t a b \r\nx-two: c",
    );
    expect(head).toMatchObject({
      method: "PUT",
      target: "/kv/a%20b?x=1",
      minorVersion: 1,
      contentLength: 3,
      keepAlive: true,
      expectsContinue: false,
    });
    expect(head.headerList).toEqual([
      "host",
      "h",
      "content-length",
      "3",
      "x-two",
      "a b",
      "x-two",
      "c",
    ]);
    expect(head.header("x-two")).toBe("a b");
    expect(head.header("absent")).toBeUndefined();
  });

  it("keeps the connection open by the version's default unless Connection says otherwise", () => {
    const keepAlive = (version: string, connection?: string): boolean =>
      parseRequestHead(
        `GET / HTTP/${version}\r\nHost: h${connection === undefined ? "" : `\r\nConnection: ${connection}`}`,
      ).keepAlive;
    expect(keepAlive("1.1")).toBe(true);
    expect(keepAlive("1.1", "close")).toBe(false);
    expect(keepAlive("1.1", "Keep-Alive, CLOSE")).toBe(false);
    expect(keepAlive("1.0")).toBe(false);
    expect(keepAlive("1.0", "keep-alive")).toBe(true);
    expect(keepAlive("1.0", "upgrade")).toBe(false);
  });

  it("notes Expect: 100-continue on HTTP/1.1 only, and accepts a repeated equal Content-Length", () => {
    const head = (version: string, extra: string) =>
      parseRequestHead(`PUT /x HTTP/${version}\r\nHost: h\r\n${extra}`);
    expect(head("1.1", "Expect: 100-Continue").expectsContinue).toBe(true);
    expect(head("1.0", "Expect: 100-continue").expectsContinue).toBe(false);
    expect(head("1.1", "Content-Length: 5\r\nContent-Length: 5").contentLength).toBe(5);
    expect(parseRequestHead("GET / HTTP/1.0").headerList).toEqual([]);
  });

  it("refuses every malformed head with 400, a transfer coding with 411, too many fields with 431", () => {
    const cases: [string, number][] = [
      ["GET /", 400],
      ["GET / HTTP/1.1 extra\r\nHost: h", 400],
      ["get / http/1.1\r\nHost: h", 400],
      ["GET / HTTP/2.0\r\nHost: h", 400],
      ["GET /a b HTTP/1.1\r\nHost: h", 400],
      ["GET /é HTTP/1.1\r\nHost: h", 400],
      ["G(T / HTTP/1.1\r\nHost: h", 400],
      ["GET / HTTP/1.1", 400],
      ["GET / HTTP/1.1\r\nHost: h\r\n folded", 400],
      ["GET / HTTP/1.1\r\nHost : h", 400],
      ["GET / HTTP/1.1\r\nHost: h\r\n: empty", 400],
      ["GET / HTTP/1.1\r\nHost: h\r\nno colon", 400],
      ["GET / HTTP/1.1\r\nHost: h\nX: bare line feed", 400],
      ["GET / HTTP/1.1\r\nHost: h\r\nX: a\rb", 400],
      ["GET / HTTP/1.1\r\nHost: h\r\nX: a\u0000", 400],
      ["PUT / HTTP/1.1\r\nHost: h\r\nContent-Length: abc", 400],
      ["PUT / HTTP/1.1\r\nHost: h\r\nContent-Length: -1", 400],
      ["PUT / HTTP/1.1\r\nHost: h\r\nContent-Length: 1 2", 400],
      ["PUT / HTTP/1.1\r\nHost: h\r\nContent-Length: 1234567890123456", 400],
      ["PUT / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nContent-Length: 2", 400],
      ["PUT / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked", 411],
      [`GET / HTTP/1.1\r\nHost: h${"\r\nX: y".repeat(100)}`, 431],
    ];
    for (const [text, status] of cases) {
      expect(refusal(text).status, JSON.stringify(text)).toBe(status);
    }
  });

  it("parses back any head it could be given: names, values and order kept", () => {
    const tokenChar = fc.constantFrom(..."!#$%&'*+-.^_`|~09azAZ");
    const name = fc.string({ unit: tokenChar, minLength: 1, maxLength: 12 });
    const valueChar = fc.constantFrom(...'ab 9\t"/;=,é\u00ff');
    const value = fc
      .string({ unit: valueChar, maxLength: 16 })
      .map((text) => text.replace(/^[ \t]+|[ \t]+$/g, ""));
    const reserved = new Set(["content-length", "transfer-encoding", "connection", "expect"]);
    const field = fc.tuple(name, value).filter(([n]) => !reserved.has(n.toLowerCase()));
    fc.assert(
      fc.property(
        fc.constantFrom("GET", "PUT", "DELETE", "X-CUSTOM"),
        fc.string({ unit: fc.constantFrom(..."/az09%?=&.~"), minLength: 1, maxLength: 20 }),
        fc.array(field, { maxLength: 8 }),
        (method, path, fields) => {
          const all: [string, string][] = [["Host", "h"], ...fields];
          const text = [
            `${method} ${path} HTTP/1.1`,
            ...all.map(([n, v]) => `${n}:${v === "" ? "" : " "}${v}`),
          ].join("\r\n");
          const head = parseRequestHead(text);
          expect(head.method).toBe(method);
          expect(head.target).toBe(path);
          expect(head.headerList).toEqual(all.flatMap(([n, v]) => [n.toLowerCase(), v]));
        },
      ),
    );
  });
});
