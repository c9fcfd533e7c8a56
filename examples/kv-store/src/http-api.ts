// The HTTP API of a store node, usable with curl:
//   PUT /kv/<key> (body = value)   GET /kv/<key> (body = value, 404 when absent)
//   DELETE /kv/<key>               GET /status (JSON)      POST /sessions (JSON { clientId })
// A follower forwards writes to the leader it knows (one hop), so a client may start anywhere.
import { request } from "node:http";
import {
  InvalidArgumentError,
  isPodsError,
  NotLeaderError,
  type Logger,
  type PodsError,
} from "@pods/core-interfaces";
import type { RequestHead } from "./http-head.ts";
import { HttpServer, type HttpAnswer } from "./http-server.ts";
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

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function integerHeader(incoming: RequestHead, name: string): number | undefined {
  const raw = incoming.header(name);
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (raw === "" || !Number.isSafeInteger(value) || value < 0) {
    throw new HttpError(400, "BAD_HEADER", `Header ${name} must be a non-negative integer.`);
  }
  return value;
}

function sessionOf(incoming: RequestHead): SessionStamp | undefined {
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
function targetOf(incoming: RequestHead): Target {
  const raw = incoming.target;
  if (!raw.startsWith("/")) {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new HttpError(400, "BAD_TARGET", "The request target must be /path or an http URL.");
    }
    return { path: url.pathname, query: url.search.slice(1) };
  }
  const mark = raw.indexOf("?");
  return mark === -1
    ? { path: raw, query: "" }
    : { path: raw.slice(0, mark), query: raw.slice(mark + 1) };
}

function consistencyOf(incoming: RequestHead, target: Target): ReadConsistency {
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

/** An answer with `body` as JSON, and `extra` headers (name, value, name, value...). */
function json(status: number, body: unknown, extra: readonly string[] = []): HttpAnswer {
  return {
    status,
    headers: extra.length === 0 ? jsonType : [...jsonType, ...extra],
    body: JSON.stringify(body),
  };
}

const jsonType = ["content-type", "application/json"] as const;

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

function errorAnswer(error: unknown, logger: Logger): HttpAnswer {
  if (error instanceof HttpError) {
    return json(error.status, { error: error.code, message: error.message });
  }
  if (isPodsError(error)) {
    const status = statusOf(error);
    const extra: string[] = [headers.outcome, error.outcome];
    if (status === 503) extra.push("retry-after", "1");
    return json(
      status,
      { error: error.code, message: error.message, outcome: error.outcome },
      extra,
    );
  }
  logger.error("http-request-failed", { error: String(error) });
  return json(500, { error: "INTERNAL", message: String(error), outcome: "indefinite" }, [
    headers.outcome,
    "indefinite",
  ]);
}

/** Headers of the leader's answer that are about its connection, not the answer: not relayed. */
const hopByHop = new Set([
  "connection",
  "keep-alive",
  "transfer-encoding",
  "content-length",
  "date",
]);

/** Relays a write to the leader's HTTP address and returns its answer. */
function forward(leaderHttp: string, incoming: RequestHead, body: Uint8Array): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const relayed: Record<string, string> = { [headers.forwarded]: "1" };
    for (const name of [headers.clientId, headers.sequence, headers.firstUnacknowledged]) {
      const value = incoming.header(name);
      if (value !== undefined) relayed[name] = value;
    }
    const unreachable = (): void =>
      reject(
        new HttpError(
          502,
          "LEADER_UNREACHABLE",
          `The leader at ${leaderHttp} is unreachable; retry.`,
        ),
      );
    const outgoing = request(
      new URL(incoming.target, leaderHttp),
      { method: incoming.method, headers: relayed },
      (answer) => {
        const chunks: Buffer[] = [];
        answer.on("data", (chunk: Buffer) => chunks.push(chunk));
        answer.on("error", unreachable);
        answer.on("end", () => {
          const kept: string[] = [];
          const raw = answer.rawHeaders;
          for (let i = 0; i < raw.length; i += 2) {
            if (!hopByHop.has(raw[i]!.toLowerCase())) kept.push(raw[i]!, raw[i + 1]!);
          }
          resolve({ status: answer.statusCode ?? 502, headers: kept, body: Buffer.concat(chunks) });
        });
      },
    );
    outgoing.on("error", unreachable);
    outgoing.end(body);
  });
}

async function handle(
  replica: KvReplica,
  incoming: RequestHead,
  body: Uint8Array,
): Promise<HttpAnswer> {
  const target = targetOf(incoming);
  // HEAD is GET without the body (the server leaves the body out).
  const method = incoming.method === "HEAD" ? "GET" : incoming.method;
  if (target.path === "/status" && method === "GET") return json(200, replica.status());
  if (target.path === "/sessions" && method === "POST") {
    return viaLeader(replica, incoming, body, async () =>
      json(200, { clientId: await replica.registerSession() }),
    );
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
    if (stored === undefined) {
      return json(
        404,
        { error: "NOT_FOUND", message: `No value for key ${JSON.stringify(key)}.` },
        [headers.applied, String(appliedIndex)],
      );
    }
    return {
      status: 200,
      headers: [
        "content-type",
        "application/octet-stream",
        headers.version,
        String(stored.version),
        headers.applied,
        String(appliedIndex),
      ],
      body: stored.value,
    };
  }
  if (method !== "PUT" && method !== "DELETE") {
    throw new HttpError(405, "METHOD", "Use GET, PUT or DELETE on /kv/<key>.");
  }
  const command: KvCommand =
    method === "PUT" ? { op: "put", key, value: body } : { op: "delete", key };
  const session = sessionOf(incoming);
  return viaLeader(replica, incoming, body, async () => {
    const result = await replica.write(command, session);
    if ("rejected" in result) throw new HttpError(400, "REJECTED", result.rejected);
    return json(200, { version: result.version, existed: result.existed }, [
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
  incoming: RequestHead,
  body: Uint8Array,
  write: () => Promise<HttpAnswer>,
): Promise<HttpAnswer> {
  try {
    return await write();
  } catch (error) {
    const forwardable =
      error instanceof NotLeaderError &&
      error.outcome === "definite" &&
      incoming.header(headers.forwarded) === undefined;
    const leaderHttp = replica.status().leaderHttp;
    if (!forwardable || leaderHttp === null) throw error;
    return forward(leaderHttp, incoming, body);
  }
}

/**
 * Creates (not yet listening) the HTTP server of a store node. Every failure is answered with a
 * JSON error naming what to do; an indefinite outcome is marked with the `pods-outcome` header.
 * Bodies are limited to the largest value (1 MiB): a larger one is answered 413.
 */
export function createKvHttpServer(replica: KvReplica, logger: Logger): HttpServer {
  return new HttpServer(
    (incoming, body) =>
      handle(replica, incoming, body).catch((error: unknown) => errorAnswer(error, logger)),
    {
      bodyBytesMax: valueBytesMax,
      onHandlerError: (error) => logger.error("http-request-failed", { error: String(error) }),
    },
  );
}
