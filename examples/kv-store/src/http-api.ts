// The HTTP API of a store node, usable with curl:
//   PUT /kv/<key> (body = value)   GET /kv/<key> (body = value, 404 when absent)
//   DELETE /kv/<key>               GET /status (JSON)      POST /sessions (JSON { clientId })
// A follower forwards writes to the leader it knows (one hop), so a client may start anywhere.
import {
  createServer,
  request,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import {
  InvalidArgumentError,
  isPodsError,
  NotLeaderError,
  type Logger,
  type PodsError,
} from "@pods/core-interfaces";
import { checkKey, valueBytesMax, type KvCommand } from "./kv-commands.ts";
import type { KvReplica, ReadConsistency, SessionStamp } from "./replica.ts";

/** Headers of the API (lower case, as Node presents them). */
export const headers = {
  /** The version (log index) of the value returned or of the write acknowledged. */
  version: "pods-version",
  /** On reads: the minimum version the replica must have applied (read-your-writes). */
  minVersion: "pods-min-version",
  /** The replica's applied index when it answered a read. */
  applied: "pods-applied",
  /** Session headers of an idempotent write. */
  clientId: "pods-client-id",
  /** The request's sequence number within its session. */
  sequence: "pods-sequence",
  /** The lowest sequence whose response the client still awaits. */
  firstUnacknowledged: "pods-first-unacknowledged",
  /** Set on a write a follower forwarded, so it is never forwarded twice. */
  forwarded: "pods-forwarded",
  /** On errors: `definite` (nothing happened) or `indefinite` (it may have happened). */
  outcome: "pods-outcome",
} as const;

const bodyBytesMax = valueBytesMax;

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Reads a request body of at most {@link bodyBytesMax} bytes; a larger one is refused with 413. */
function readBody(incoming: IncomingMessage): Promise<Uint8Array> {
  const tooLarge = (): HttpError =>
    new HttpError(
      413,
      "TOO_LARGE",
      `The body exceeds ${bodyBytesMax} bytes, the largest value allowed.`,
    );
  return new Promise((resolve, reject) => {
    if (Number(incoming.headers["content-length"] ?? 0) > bodyBytesMax) {
      incoming.resume();
      reject(tooLarge());
      return;
    }
    const chunks: Buffer[] = [];
    let bytes = 0;
    const onData = (chunk: Buffer): void => {
      bytes += chunk.length;
      if (bytes <= bodyBytesMax) {
        chunks.push(chunk);
        return;
      }
      // Discard the rest of the body (keeping the connection usable) and refuse it.
      incoming.off("data", onData);
      incoming.resume();
      reject(tooLarge());
    };
    incoming.on("data", onData);
    incoming.on("end", () => resolve(joined(chunks, bytes)));
    incoming.on("error", reject);
  });
}

/**
 * The chunks in one array of its own. A lone chunk that is its whole buffer is kept as it is
 * (Node copies each body chunk out of its parser buffer); any other may share memory with more
 * than the body, so it is copied.
 */
function joined(chunks: readonly Uint8Array[], bytes: number): Uint8Array {
  const only = chunks.length === 1 ? chunks[0]! : undefined;
  if (only !== undefined && only.byteOffset === 0 && only.buffer.byteLength === bytes) return only;
  const body = new Uint8Array(bytes);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.length;
  }
  return body;
}

function integerHeader(incoming: IncomingMessage, name: string): number | undefined {
  const raw = incoming.headers[name];
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (typeof raw !== "string" || !Number.isSafeInteger(value) || value < 0) {
    throw new HttpError(400, "BAD_HEADER", `Header ${name} must be a non-negative integer.`);
  }
  return value;
}

function sessionOf(incoming: IncomingMessage): SessionStamp | undefined {
  const clientId = integerHeader(incoming, headers.clientId);
  if (clientId === undefined) return undefined;
  const sequence = integerHeader(incoming, headers.sequence);
  const firstUnacknowledged = integerHeader(incoming, headers.firstUnacknowledged);
  if (sequence === undefined || firstUnacknowledged === undefined) {
    throw new HttpError(
      400,
      "BAD_SESSION",
      `A session write needs ${headers.clientId}, ${headers.sequence} and ${headers.firstUnacknowledged}.`,
    );
  }
  return { clientId, sequence, firstUnacknowledged };
}

/** A request target split into its path and its query (without the `?`). */
interface Target {
  readonly path: string;
  readonly query: string;
}

/**
 * Splits the request target: the usual origin form (`/kv/key?consistency=lease`) by hand, taken
 * as it is (dot segments are part of the key); the absolute form (`http://host/kv/key`) through
 * the URL parser.
 */
function targetOf(incoming: IncomingMessage): Target {
  const raw = incoming.url ?? "/";
  if (!raw.startsWith("/")) {
    const url = new URL(raw, "http://localhost");
    return { path: url.pathname, query: url.search.slice(1) };
  }
  const mark = raw.indexOf("?");
  return mark === -1
    ? { path: raw, query: "" }
    : { path: raw.slice(0, mark), query: raw.slice(mark + 1) };
}

function consistencyOf(incoming: IncomingMessage, target: Target): ReadConsistency {
  const minVersion = integerHeader(incoming, headers.minVersion);
  if (minVersion !== undefined) return { kind: "at-least", version: minVersion };
  const asked =
    (target.query === "" ? null : new URLSearchParams(target.query).get("consistency")) ??
    "linearizable";
  if (asked === "linearizable") return { kind: "linearizable" };
  if (asked === "local") return { kind: "local" };
  if (asked === "lease") return { kind: "lease" };
  throw new HttpError(
    400,
    "BAD_QUERY",
    "consistency must be linearizable (default), lease or local.",
  );
}

function keyOf(target: Target): string {
  let key: string;
  try {
    key = decodeURIComponent(target.path.slice("/kv/".length));
  } catch {
    throw new HttpError(400, "BAD_KEY", "The key is not valid percent-encoding.");
  }
  try {
    checkKey(key);
  } catch (error) {
    throw new HttpError(400, "BAD_KEY", (error as Error).message);
  }
  return key;
}

/**
 * Answers with `body` as JSON, and `extra` headers (name, value, name, value...). Headers go as
 * a flat list, the cheapest form for Node's HTTP server.
 */
function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  extra: readonly string[] = [],
): void {
  const text = JSON.stringify(body);
  response.writeHead(status, [
    "content-type",
    "application/json",
    "content-length",
    String(Buffer.byteLength(text)),
    ...extra,
  ]);
  response.end(text);
}

/** Definite refusals worth retrying, here a little later or at another node. */
const retriableCodes = new Set([
  "NOT_LEADER",
  "REPLICA_LAGGING",
  "TOO_STALE",
  "UNCOMMITTED_LIMIT",
  "REQUEST_QUEUE_FULL",
  "SESSION_REQUEST_FAILED",
]);

/**
 * The HTTP status of a Pods error: 400 for bad input; 504 when the outcome is unknown (the write
 * may have happened: retry it in the same session); 503 for refusals worth retrying (no leader,
 * lagging replica, overload); 409 for other definite refusals (an expired session, a request too
 * old to replay).
 */
function statusOf(error: PodsError): number {
  if (error instanceof InvalidArgumentError) return 400;
  if (error.outcome === "indefinite") return 504;
  return retriableCodes.has(error.code) ? 503 : 409;
}

function sendError(response: ServerResponse, error: unknown, logger: Logger): void {
  if (response.headersSent) {
    response.destroy();
    return;
  }
  if (error instanceof HttpError) {
    sendJson(response, error.status, { error: error.code, message: error.message });
    return;
  }
  if (isPodsError(error)) {
    const status = statusOf(error);
    response.setHeader(headers.outcome, error.outcome);
    if (status === 503) response.setHeader("retry-after", "1");
    sendJson(response, status, {
      error: error.code,
      message: error.message,
      outcome: error.outcome,
    });
    return;
  }
  logger.error("http-request-failed", { error: String(error) });
  response.setHeader(headers.outcome, "indefinite");
  sendJson(response, 500, { error: "INTERNAL", message: String(error), outcome: "indefinite" });
}

/** Relays a write to the leader's HTTP address and pipes its answer back. */
function forward(
  leaderHttp: string,
  incoming: IncomingMessage,
  body: Uint8Array,
  response: ServerResponse,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const relayed: Record<string, string> = { [headers.forwarded]: "1" };
    for (const name of [headers.clientId, headers.sequence, headers.firstUnacknowledged]) {
      const value = incoming.headers[name];
      if (typeof value === "string") relayed[name] = value;
    }
    const outgoing = request(
      new URL(incoming.url ?? "/", leaderHttp),
      { method: incoming.method, headers: relayed },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
        answer.on("end", resolve);
        answer.on("error", reject);
      },
    );
    outgoing.on("error", () =>
      reject(
        new HttpError(
          502,
          "LEADER_UNREACHABLE",
          `The leader at ${leaderHttp} is unreachable; retry.`,
        ),
      ),
    );
    outgoing.end(body);
  });
}

async function handle(
  replica: KvReplica,
  incoming: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const target = targetOf(incoming);
  const method = incoming.method ?? "GET";
  if (target.path === "/status" && method === "GET") {
    sendJson(response, 200, replica.status());
    return;
  }
  if (target.path === "/sessions" && method === "POST") {
    const body = await readBody(incoming);
    await viaLeader(replica, incoming, body, response, async () => {
      sendJson(response, 200, { clientId: await replica.registerSession() });
    });
    return;
  }
  if (!target.path.startsWith("/kv/")) {
    throw new HttpError(
      404,
      "NOT_FOUND",
      "Routes: /kv/<key> (GET, PUT, DELETE), GET /status, POST /sessions.",
    );
  }
  const key = keyOf(target);
  if (method === "GET") {
    const { stored, appliedIndex } = await replica.read(key, consistencyOf(incoming, target));
    response.setHeader(headers.applied, String(appliedIndex));
    if (stored === undefined) {
      sendJson(response, 404, {
        error: "NOT_FOUND",
        message: `No value for key ${JSON.stringify(key)}.`,
      });
      return;
    }
    response.writeHead(200, [
      "content-type",
      "application/octet-stream",
      "content-length",
      String(stored.value.length),
      headers.version,
      String(stored.version),
    ]);
    response.end(stored.value);
    return;
  }
  if (method !== "PUT" && method !== "DELETE") {
    throw new HttpError(405, "METHOD", "Use GET, PUT or DELETE on /kv/<key>.");
  }
  const body = await readBody(incoming);
  const command: KvCommand =
    method === "PUT" ? { op: "put", key, value: body } : { op: "delete", key };
  const session = sessionOf(incoming);
  await viaLeader(replica, incoming, body, response, async () => {
    const result = await replica.write(command, session);
    if ("rejected" in result) throw new HttpError(400, "REJECTED", result.rejected);
    sendJson(response, 200, { version: result.version, existed: result.existed }, [
      headers.version,
      String(result.version),
    ]);
  });
}

/**
 * Runs a write here, or — when this node is not the leader and nothing was appended (a definite
 * `NotLeaderError`) — forwards the request to the leader it knows, once.
 */
async function viaLeader(
  replica: KvReplica,
  incoming: IncomingMessage,
  body: Uint8Array,
  response: ServerResponse,
  write: () => Promise<void>,
): Promise<void> {
  try {
    await write();
  } catch (error) {
    const forwardable =
      error instanceof NotLeaderError &&
      error.outcome === "definite" &&
      incoming.headers[headers.forwarded] === undefined;
    const leaderHttp = replica.status().leaderHttp;
    if (!forwardable || leaderHttp === null) throw error;
    await forward(leaderHttp, incoming, body, response);
  }
}

/**
 * Creates (not yet listening) the HTTP server of a store node. Every failure is answered with a
 * JSON error naming what to do; an indefinite outcome is marked with the `pods-outcome` header.
 */
export function createKvHttpServer(replica: KvReplica, logger: Logger): Server {
  return createServer((incoming, response) => {
    handle(replica, incoming, response).catch((error: unknown) =>
      sendError(response, error, logger),
    );
  });
}
