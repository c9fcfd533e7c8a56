// A closed-loop HTTP load generator shared by the kv-store benchmarks: `clients` concurrent
// clients, each sending its next request as soon as the previous one is answered, each on its own
// keep-alive connection (a lean HTTP/1.1 client, raw-http.ts). The same generator drives the Pods
// cluster and etcd, so the figures compare. All requests of one client go to one host.
import { RawHttpConnection } from "./raw-http.ts";

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

function percentile(sorted: Float64Array, fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))]!;
}

/** Runs the closed-loop load and reports throughput and latency percentiles. */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const ok = options.ok ?? ((status: number) => status >= 200 && status < 300);
  const latencies: number[] = [];
  let errors = 0;
  const started = performance.now();
  const measureFrom = started + options.warmupMs;
  const stopAt = measureFrom + options.durationMs;
  const connections: RawHttpConnection[] = [];
  const client = async (id: number): Promise<void> => {
    let connection: RawHttpConnection | undefined;
    for (let n = 0; performance.now() < stopAt; n++) {
      const load = options.next(id, n);
      if (connection === undefined) {
        connection = new RawHttpConnection(load.url.hostname, Number(load.url.port));
        connections.push(connection);
      }
      const sentAt = performance.now();
      let success: boolean;
      try {
        const answer = await connection.request(
          load.method,
          load.url.pathname + load.url.search,
          load.body,
        );
        success = ok(answer.status);
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
  for (const connection of connections) connection.close();
  const sorted = Float64Array.from(latencies).sort();
  return {
    opsPerSecond: (latencies.length * 1000) / options.durationMs,
    p50Ms: percentile(sorted, 0.5),
    p99Ms: percentile(sorted, 0.99),
    errors,
  };
}
