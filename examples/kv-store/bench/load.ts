// A closed-loop HTTP load generator shared by the kv-store benchmarks: `clients` concurrent
// clients, each sending its next request as soon as the previous one is answered, over keep-alive
// connections. The same generator drives the Pods cluster and etcd, so the figures compare.
import { Agent, request } from "node:http";

/** One request a client sends: method, URL and body. */
export interface LoadRequest {
  readonly method: "GET" | "PUT" | "POST" | "DELETE";
  readonly url: URL;
  readonly body?: Uint8Array | string;
}

/** What a run measured. */
export interface LoadResult {
  /** Successful requests per second over the measured period. */
  readonly opsPerSecond: number;
  /** Median latency of successful requests, in ms. */
  readonly p50Ms: number;
  /** 99th-percentile latency of successful requests, in ms. */
  readonly p99Ms: number;
  /** Requests that failed (non-2xx or network error) during the measured period. */
  readonly errors: number;
}

/** How to run the load. */
export interface LoadOptions {
  /** Concurrent clients (each has at most one request outstanding). */
  readonly clients: number;
  /** Time before measuring, in ms (connections open, caches warm). */
  readonly warmupMs: number;
  /** Measured time, in ms. */
  readonly durationMs: number;
  /** The request client `client` sends as its `n`th. */
  readonly next: (client: number, n: number) => LoadRequest;
  /** Whether a response counts as a success (default: status 2xx). */
  readonly ok?: (status: number) => boolean;
}

/** Sends one request and resolves with its status once the whole response has arrived. */
export function send(agent: Agent, load: LoadRequest): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const outgoing = request(load.url, { method: load.method, agent }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () =>
        resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks) }),
      );
      response.on("error", reject);
    });
    outgoing.on("error", reject);
    outgoing.end(load.body);
  });
}

function percentile(sorted: Float64Array, fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))]!;
}

/** Runs the closed-loop load and reports throughput and latency percentiles. */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: options.clients });
  const ok = options.ok ?? ((status: number) => status >= 200 && status < 300);
  const latencies: number[] = [];
  let errors = 0;
  const started = performance.now();
  const measureFrom = started + options.warmupMs;
  const stopAt = measureFrom + options.durationMs;
  const client = async (id: number): Promise<void> => {
    for (let n = 0; performance.now() < stopAt; n++) {
      const sentAt = performance.now();
      let success: boolean;
      try {
        success = ok((await send(agent, options.next(id, n))).status);
      } catch {
        success = false;
      }
      const doneAt = performance.now();
      if (sentAt < measureFrom || doneAt > stopAt) continue;
      if (success) latencies.push(doneAt - sentAt);
      else errors++;
    }
  };
  await Promise.all(Array.from({ length: options.clients }, (_, id) => client(id)));
  agent.destroy();
  const sorted = Float64Array.from(latencies).sort();
  return {
    opsPerSecond: (latencies.length * 1000) / options.durationMs,
    p50Ms: percentile(sorted, 0.5),
    p99Ms: percentile(sorted, 0.99),
    errors,
  };
}
