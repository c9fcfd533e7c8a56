// One node of the process-cluster benchmark (bench/process-cluster.ts starts three): a
// ReplicatedLog over the single-socket channel on loopback, with a counting state machine, driven
// by its parent over IPC. On the leader, "load" runs concurrent proposers for a while and answers
// with committed writes per second and latency percentiles.
import { noopLogger, type CommittedCommand, type StateMachine } from "@pods/core-interfaces";
import { createNodeEnv, systemClock } from "@pods/runtime-node";
import { createSocketChannel } from "@pods/single-socket-channel";
import { raftMessageCodec, ReplicatedLog, type RaftMessage } from "../src/index.ts";

/** How the parent starts a node (JSON in argv[2]). */
export interface ClusterNodeConfig {
  readonly id: string;
  readonly dataDir: string;
  /** Every node's peer port on 127.0.0.1, this one's included. */
  readonly ports: Readonly<Record<string, number>>;
}

/** What the parent asks. */
export type ParentCommand =
  | { readonly type: "campaign" }
  | { readonly type: "status" }
  | {
      readonly type: "load";
      readonly durationMs: number;
      readonly concurrency: number;
      readonly valueBytes: number;
    }
  | { readonly type: "stop" };

/** What a node answers. */
export type NodeReply =
  | { readonly type: "started" }
  | { readonly type: "status"; readonly isLeader: boolean }
  | {
      readonly type: "load";
      readonly opsPerSecond: number;
      readonly p50Ms: number;
      readonly p99Ms: number;
      readonly errors: number;
    };

class Counter implements StateMachine<number> {
  count = 0;
  apply(_command: CommittedCommand): number {
    return ++this.count;
  }
  snapshot(): Uint8Array {
    return new Uint8Array(new Float64Array([this.count]).buffer);
  }
  restore(snapshot: Uint8Array): void {
    this.count = snapshot.length === 8 ? new Float64Array(snapshot.slice().buffer)[0]! : 0;
  }
}

const config = JSON.parse(process.argv[2]!) as ClusterNodeConfig;
const env = await createNodeEnv({ dataDir: config.dataDir, logger: noopLogger });
const channel = createSocketChannel<RaftMessage>({
  nodeId: config.id,
  clusterId: "bench",
  env,
  codec: raftMessageCodec,
});
for (const [peer, port] of Object.entries(config.ports)) {
  if (peer !== config.id) channel.setPeer(peer, { host: "127.0.0.1", port });
}
await channel.listen({ host: "127.0.0.1", port: config.ports[config.id]! });
const log = await ReplicatedLog.start({
  env,
  transport: channel,
  voters: Object.keys(config.ports),
  stateMachine: new Counter(),
});

function reply(message: NodeReply): void {
  process.send!(message);
}

async function load(durationMs: number, concurrency: number, valueBytes: number) {
  const value = new Uint8Array(valueBytes).fill(7);
  const latencies: number[] = [];
  let errors = 0;
  const startMs = systemClock.monotonicMs();
  const stopMs = startMs + durationMs;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let nowMs = startMs; nowMs < stopMs; nowMs = systemClock.monotonicMs()) {
        try {
          await log.propose(value);
          latencies.push(systemClock.monotonicMs() - nowMs);
        } catch {
          errors++;
        }
      }
    }),
  );
  const elapsedMs = systemClock.monotonicMs() - startMs;
  latencies.sort((a, b) => a - b);
  const at = (p: number) => latencies[Math.floor((latencies.length - 1) * p)] ?? 0;
  return {
    opsPerSecond: (latencies.length * 1000) / elapsedMs,
    p50Ms: at(0.5),
    p99Ms: at(0.99),
    errors,
  };
}

process.on("message", (command: ParentCommand) => {
  switch (command.type) {
    case "campaign":
      log.campaign();
      return;
    case "status":
      reply({ type: "status", isLeader: log.isLeader });
      return;
    case "load":
      void load(command.durationMs, command.concurrency, command.valueBytes).then((result) =>
        reply({ type: "load", ...result }),
      );
      return;
    case "stop":
      void log
        .close()
        .then(() => channel.close())
        .then(() => process.exit(0));
  }
});
reply({ type: "started" });
