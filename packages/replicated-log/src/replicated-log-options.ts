import type { Env, NodeId, StateMachine, Transport } from "@pods/core-interfaces";
import { countOption, type ReplicationOptions } from "./options.ts";
import type { RaftMessage } from "./messages.ts";

/** Defaults of the {@link ReplicatedLogOptions} the driver adds. */
export const replicatedLogDefaults = {
  /** The directory of the log and the generation file on the node's disk. */
  dir: "replicated-log",
  /** How long a proposal or a read may wait, in ms. */
  requestTimeoutMs: 10_000,
} as const;

/** Options of {@link ReplicatedLog.start}. */
export interface ReplicatedLogOptions<R> extends ReplicationOptions {
  /** The node's ports: clock, scheduler, random, disk (the log lives there), logger. */
  readonly env: Env;
  /** The network; its `localId` is this node. */
  readonly transport: Transport<RaftMessage>;
  /** The voters of the cluster (this node among them, or among `learners`). */
  readonly voters: readonly NodeId[];
  /** Members that receive the log without voting. Default none. */
  readonly learners?: readonly NodeId[];
  /** What the log drives: fresh at start; every committed command is applied to it in order. */
  readonly stateMachine: StateMachine<R>;
  /** The directory of the log on `env.disk`. Default `"replicated-log"`. */
  readonly dir?: string;
  /**
   * How long a proposal or a read may wait before failing with `TimeoutError` (indefinite for a
   * proposal), in ms. Default 10000.
   */
  readonly requestTimeoutMs?: number;
}

/** Checks the driver's own options; the protocol's are checked by the core. */
export function resolveRequestTimeoutMs(value: number | undefined): number {
  return countOption("requestTimeoutMs", value, replicatedLogDefaults.requestTimeoutMs);
}
