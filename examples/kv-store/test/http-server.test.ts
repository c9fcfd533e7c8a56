// The store's HTTP server: request parsing over any split of the byte stream, answers in request
// order, keep-alive and close, 100-continue, limits and refusals (on a scripted socket, so every
// split is exact), then timeouts and closing on real loopback sockets.
import { EventEmitter } from "node:events";
import { connect, type Socket } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { HttpServer, type HttpAnswer, type HttpHandler } from "../src/http-server.ts";

/** A socket driven by the test: bytes in through `send`, everything written kept as latin1. */
class ScriptedSocket extends EventEmitter {
  written = "";
  ended = false;
  destroyed = false;
  paused = false;
  setNoDelay(): void {}
  write(bytes: Buffer | string): boolean {
    this.written += typeof bytes === "string" ? bytes : bytes.toString("latin1");
    return true;
  }
  end(): void {
    this.ended = true;
  }
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.emit("close");
  }
  pause(): void {
    this.paused = true;
  }
  resume(): void {
    this.paused = false;
  }
  send(text: string | Uint8Array): void {
    this.emit("data", typeof text === "string" ? Buffer.from(text, "latin1") : Buffer.from(text));
  }
  /** Sends `stream` in pieces, cut at `cuts` (each taken modulo the stream's length + 1). */
  sendSplit(stream: Buffer, cuts: readonly number[]): void {
    const points = [...new Set(cuts.map((cut) => cut % (stream.length + 1)))].sort((a, b) => a - b);
    let from = 0;
    for (const point of [...points, stream.length]) {
      this.send(stream.subarray(from, point));
      from = point;
    }
  }
}

interface Answer {
  status: number;
  headers: Map<string, string>;
  body: string;
}

/** Splits written bytes into answers (interim 1xx answers included). */
function answersIn(written: string): Answer[] {
  const answers: Answer[] = [];
  let rest = written;
  while (rest.length > 0) {
    const end = rest.indexOf("\r\n\r\n");
    if (end < 0) throw new Error(`an incomplete answer: ${JSON.stringify(rest)}`);
    const [statusLine, ...lines] = rest.slice(0, end).split("\r\n");
    const headers = new Map<string, string>();
    for (const line of lines) {
      const colon = line.indexOf(":");
      headers.set(line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim());
    }
    const length = Number(headers.get("content-length") ?? 0);
    answers.push({
      status: Number(statusLine!.split(" ")[1]),
      headers,
      body: rest.slice(end + 4, end + 4 + length),
    });
    rest = rest.slice(end + 4 + length);
  }
  return answers;
}

function scripted(
  handler: HttpHandler,
  options: ConstructorParameters<typeof HttpServer>[1] = {},
): { server: HttpServer; socket: ScriptedSocket } {
  const server = new HttpServer(handler, options);
  const socket = new ScriptedSocket();
  server.serve(socket as unknown as Socket);
  return { server, socket };
}

const echo: HttpHandler = (head, body) =>
  Promise.resolve({
    status: 200,
    headers: ["x-method", head.method],
    body: `${head.target} ${Buffer.from(body).toString("latin1")}`,
  });

async function settled(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
}

function put(target: string, body: string, extra = ""): string {
  return `PUT ${target} HTTP/1.1\r\nHost: h\r\nContent-Length: ${body.length}\r\n${extra}\r\n${body}`;
}

describe("the HTTP server on a scripted socket", () => {
  it("reads pipelined requests split anywhere, and answers in request order whatever order handlers finish in", async () => {
    const request = fc.record({
      method: fc.constantFrom("GET", "PUT", "DELETE"),
      path: fc.string({ unit: fc.constantFrom(..."abz09%-"), minLength: 1, maxLength: 12 }),
      body: fc.uint8Array({ maxLength: 40 }),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(request, { minLength: 1, maxLength: 8 }),
        fc.array(fc.nat(), { maxLength: 12 }),
        fc.array(fc.nat(), { minLength: 8, maxLength: 8 }),
        async (requests, cuts, finishOrder) => {
          const seen: string[] = [];
          const pending: (() => void)[] = [];
          const { socket } = scripted((head, body) => {
            const index = seen.length;
            seen.push(`${head.method} ${head.target} ${Buffer.from(body).toString("hex")}`);
            return new Promise<HttpAnswer>((resolve) => {
              pending[index] = () => resolve({ status: 200, body: `answer ${index}` });
            });
          });
          const stream = Buffer.concat(
            requests.flatMap(({ method, path, body }) => [
              Buffer.from(
                `${method} /kv/${path} HTTP/1.1\r\nHost: h\r\nContent-Length: ${body.length}\r\n\r\n`,
              ),
              body,
            ]),
          );
          socket.sendSplit(stream, cuts);
          expect(seen).toEqual(
            requests.map(
              ({ method, path, body }) =>
                `${method} /kv/${path} ${Buffer.from(body).toString("hex")}`,
            ),
          );
          const order = requests
            .map((_, index) => index)
            .sort((a, b) => finishOrder[a]! - finishOrder[b]! || a - b);
          for (const index of order) {
            pending[index]!();
            await settled();
          }
          expect(answersIn(socket.written).map(({ body }) => body)).toEqual(
            requests.map((_, index) => `answer ${index}`),
          );
          expect(socket.ended).toBe(false);
        },
      ),
      { numRuns: 150 },
    );
  });

  it("survives any bytes: it never throws, answers in well-formed pieces, and ends on a refusal", async () => {
    const fragment = fc.oneof(
      fc.uint8Array({ maxLength: 30 }).map((bytes) => Buffer.from(bytes).toString("latin1")),
      fc.constantFrom(
        "GET / HTTP/1.1\r\nHost: h\r\n\r\n",
        "PUT /k HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\n",
        "Content-Length: 99999999\r\n",
        "Transfer-Encoding: chunked\r\n",
        "Expect: 100-continue\r\n",
        "\r\n",
        "\r\n\r\n",
        " HTTP/1.0",
        "abc",
      ),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(fragment, { maxLength: 12 }),
        fc.array(fc.nat(), { maxLength: 6 }),
        async (fragments, cuts) => {
          const { socket } = scripted(echo, { headBytesMax: 200, bodyBytesMax: 1000 });
          const stream = Buffer.from(fragments.join(""), "latin1");
          socket.sendSplit(stream, cuts);
          await settled();
          const answers = answersIn(socket.written);
          const refused = answers.some(({ status }) => status >= 400);
          expect(socket.ended).toBe(
            refused || answers.some(({ headers }) => headers.get("connection") === "close"),
          );
          for (const { status } of answers)
            expect([100, 200, 400, 411, 413, 431]).toContain(status);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("keeps HTTP/1.1 open, closes on Connection: close and for HTTP/1.0 unless asked to keep alive", async () => {
    const open = scripted(echo);
    open.socket.send(put("/a", "1") + put("/b", "2", "Connection: close\r\n") + put("/c", "3"));
    await settled();
    const answers = answersIn(open.socket.written);
    expect(answers.map(({ body }) => body)).toEqual(["/a 1", "/b 2"]);
    expect(answers[0]!.headers.has("connection")).toBe(false);
    expect(answers[1]!.headers.get("connection")).toBe("close");
    expect(open.socket.ended).toBe(true);

    const old = scripted(echo);
    old.socket.send("GET /x HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /y HTTP/1.0\r\n\r\n");
    await settled();
    const [kept, closed] = answersIn(old.socket.written);
    expect(kept!.body).toBe("/x ");
    expect(kept!.headers.get("connection")).toBe("keep-alive");
    expect(closed!.headers.get("connection")).toBe("close");
    expect(old.socket.ended).toBe(true);
  });

  it("answers 100 Continue when the client waits for it, and not when the body came along", async () => {
    const { socket } = scripted(echo);
    socket.send(`PUT /k HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n`);
    expect(socket.written).toBe("HTTP/1.1 100 Continue\r\n\r\n");
    socket.send("body");
    await settled();
    socket.send(put("/j", "now", "Expect: 100-continue\r\n"));
    await settled();
    const answers = answersIn(socket.written);
    expect(answers.map(({ status, body }) => `${status} ${body}`)).toEqual([
      "100 ",
      "200 /k body",
      "200 /j now",
    ]);
  });

  it("answers HEAD with the headers only, Content-Length included", async () => {
    const { socket } = scripted(echo);
    socket.send("HEAD /h HTTP/1.1\r\nHost: h\r\n\r\nGET /g HTTP/1.1\r\nHost: h\r\n\r\n");
    await settled();
    expect(socket.written).toMatch(
      /^HTTP\/1\.1 200 OK\r\n[^]*content-length: 3\r\n[^]*\r\n\r\nHTTP\/1\.1 200/,
    );
    expect(socket.written.endsWith("\r\n\r\n/g ")).toBe(true);
  });

  it("skips empty lines between requests, as some clients send after a body", async () => {
    const { socket } = scripted(echo);
    socket.send(`\r\n${put("/a", "1")}\r\n\r\n`);
    socket.send(`\r\n${put("/b", "2")}`);
    await settled();
    expect(answersIn(socket.written).map(({ status, body }) => `${status} ${body}`)).toEqual([
      "200 /a 1",
      "200 /b 2",
    ]);
  });

  it("adds Content-Length and Date, and writes a binary body as given", async () => {
    const bytes = Uint8Array.from([0, 13, 10, 255]);
    const { socket } = scripted(() =>
      Promise.resolve({ status: 404, headers: ["x-a", "1"], body: bytes }),
    );
    socket.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
    await settled();
    const [answer] = answersIn(socket.written);
    expect(socket.written.startsWith("HTTP/1.1 404 Not Found\r\nx-a: 1\r\n")).toBe(true);
    expect(answer!.headers.get("content-length")).toBe("4");
    expect(Date.parse(answer!.headers.get("date")!)).not.toBeNaN();
    expect(Buffer.from(answer!.body, "latin1")).toEqual(Buffer.from(bytes));
  });

  it("refuses malformed input, oversized heads and bodies and chunked bodies with a JSON error, after earlier answers, then closes", async () => {
    const cases: [string, number, string][] = [
      ["NOT HTTP\r\n\r\n", 400, "BAD_REQUEST"],
      ["PUT / HTTP/1.1\r\nHost: h\r\nContent-Length: x\r\n\r\n", 400, "BAD_REQUEST"],
      ["PUT / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n", 411, "LENGTH_REQUIRED"],
      [`GET / HTTP/1.1\r\nHost: h\r\nX: ${"v".repeat(300)}\r\n\r\n`, 431, "HEADERS_TOO_LARGE"],
      [`GET / HTTP/1.1\r\nHost: h\r\nX: ${"v".repeat(300)}`, 431, "HEADERS_TOO_LARGE"],
      ["PUT / HTTP/1.1\r\nHost: h\r\nContent-Length: 101\r\n\r\n", 413, "TOO_LARGE"],
    ];
    for (const [text, status, code] of cases) {
      const seen: string[] = [];
      const { socket } = scripted(
        (head, body) => {
          seen.push(head.target);
          return echo(head, body);
        },
        { headBytesMax: 256, bodyBytesMax: 100 },
      );
      socket.send(put("/first", "ok") + text + put("/after", "no"));
      await settled();
      const answers = answersIn(socket.written);
      expect(seen, text).toEqual(["/first"]);
      expect(answers.map((answer) => answer.status)).toEqual([200, status]);
      expect(answers[1]!.headers.get("connection")).toBe("close");
      expect(JSON.parse(answers[1]!.body)).toMatchObject({ error: code });
      expect(socket.ended).toBe(true);
    }
  });

  it("answers a failed handler 500 and goes on serving", async () => {
    const failures: unknown[] = [];
    const { socket } = scripted(
      (head, body) =>
        head.target === "/boom" ? Promise.reject(new Error("boom")) : echo(head, body),
      { onHandlerError: (error) => failures.push(error) },
    );
    socket.send(put("/boom", "") + put("/fine", "x"));
    await settled();
    expect(answersIn(socket.written).map(({ status }) => status)).toEqual([500, 200]);
    expect(failures).toHaveLength(1);
  });

  it("stops reading at pipelineMax requests in flight and reads the rest as answers go out", async () => {
    const waiting: (() => void)[] = [];
    const { socket } = scripted(
      (head) =>
        new Promise((resolve) => waiting.push(() => resolve({ status: 200, body: head.target }))),
      { pipelineMax: 2 },
    );
    socket.send(["/1", "/2", "/3", "/4", "/5"].map((path) => put(path, "")).join(""));
    expect(waiting).toHaveLength(2);
    expect(socket.paused).toBe(true);
    for (let i = 0; i < 5; i++) {
      waiting[i]!();
      await settled();
    }
    expect(answersIn(socket.written).map(({ body }) => body)).toEqual([
      "/1",
      "/2",
      "/3",
      "/4",
      "/5",
    ]);
    expect(socket.paused).toBe(false);
  });

  it("refuses options that are not positive integers", () => {
    expect(() => new HttpServer(echo, { pipelineMax: 0 })).toThrow(
      /pipelineMax must be a positive integer/,
    );
    expect(() => new HttpServer(echo, { idleTimeoutMs: 1.5 })).toThrow(RangeError);
  });
});

describe("the HTTP server on loopback", () => {
  let server: HttpServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  async function connected(): Promise<{
    socket: Socket;
    received: () => string;
    closed: Promise<void>;
  }> {
    const socket = connect(server!.port, "127.0.0.1");
    let text = "";
    socket.on("data", (chunk: Buffer) => (text += chunk.toString("latin1")));
    const closed = new Promise<void>((resolve) => socket.on("close", () => resolve()));
    await new Promise((resolve) => socket.once("connect", resolve));
    return { socket, received: () => text, closed };
  }

  it("closes an idle connection, and answers 408 to a request that does not finish in time", async () => {
    server = new HttpServer(echo, { idleTimeoutMs: 150, requestTimeoutMs: 150 });
    await server.listen(0, "127.0.0.1");
    const idle = await connected();
    idle.socket.write(put("/a", "1"));
    const slow = await connected();
    slow.socket.write("PUT /b HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\nhalf");
    await Promise.all([idle.closed, slow.closed]);
    expect(answersIn(idle.received()).map(({ body }) => body)).toEqual(["/a 1"]);
    const [timedOut] = answersIn(slow.received());
    expect(timedOut!.status).toBe(408);
    expect(JSON.parse(timedOut!.body)).toMatchObject({ error: "REQUEST_TIMEOUT" });
  });

  it("does not time out requests it holds back itself while the pipeline is full", async () => {
    server = new HttpServer(
      async (head, body) => {
        await sleep(400);
        return echo(head, body);
      },
      { pipelineMax: 1, requestTimeoutMs: 100 },
    );
    await server.listen(0, "127.0.0.1");
    const client = await connected();
    client.socket.write(put("/1", "a") + put("/2", "b", "Connection: close\r\n"));
    await client.closed;
    expect(answersIn(client.received()).map(({ status, body }) => `${status} ${body}`)).toEqual([
      "200 /1 a",
      "200 /2 b",
    ]);
  });

  it("close() stops listening and closes open connections", async () => {
    server = new HttpServer(echo);
    await server.listen(0, "127.0.0.1");
    const port = server.port;
    const client = await connected();
    await server.close();
    await client.closed;
    const refused = await new Promise<string>((resolve) =>
      connect(port, "127.0.0.1")
        .on("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? ""))
        .on("connect", () => resolve("connected")),
    );
    expect(refused).toBe("ECONNREFUSED");
    server = undefined;
  });

  it("rejects listen() on a port already taken", async () => {
    server = new HttpServer(echo);
    await server.listen(0, "127.0.0.1");
    const second = new HttpServer(echo);
    await expect(second.listen(server.port, "127.0.0.1")).rejects.toMatchObject({
      code: "EADDRINUSE",
    });
  });
});
