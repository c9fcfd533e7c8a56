/**
 * @pods/simulation: a deterministic world for testing distributed protocols from one seed —
 * virtual time, nodes with their own clocks, a faulty network, crashable disks, and a history
 * recorder for linearizability checking.
 *
 * @packageDocumentation
 */

export {
  diskContractCases,
  diskCrashContractCases,
  DiskContractViolation,
  type CrashableDisk,
  type DiskContractCase,
  type DiskCrashContractCase,
} from "./disk-contract.ts";
export type { CrashMode } from "./disk-image.ts";
export type {
  DiskErrorRates,
  DiskStats,
  RawFile,
  SimDiskOptions,
  SyncRecord,
} from "./disk-options.ts";
export type { DiskOperation } from "./disk-port.ts";
export {
  History,
  RecordedOperation,
  type HistoryFileOptions,
  type OperationState,
} from "./history.ts";
export type { BlockMode, NetworkRule, RuleAction } from "./network-faults.ts";
export type {
  DropReason,
  LatencyContext,
  LatencyModel,
  NetworkOptions,
  NetworkStats,
} from "./network-options.ts";
export type { RunOptions, SettledValues } from "./run-loop.ts";
export { SeededRandom } from "./seeded-random.ts";
export {
  runSeeds,
  SeedFailedError,
  seedCountMax,
  seedsFromEnv,
  type RunSeedsOptions,
  type SeedsFromEnvOptions,
} from "./seeds.ts";
export { driftPpmMax, SimClock, type SimClockOptions } from "./sim-clock.ts";
export { SimDisk } from "./sim-disk.ts";
export type { LogRecord } from "./sim-logger.ts";
export { SimNetwork, type BlockOptions, type Heal } from "./sim-network.ts";
export { runOnOneNode, type OneNodeContext, type OneNodeOptions } from "./one-node.ts";
export { SimNode, type CrashOptions, type NodeContext, type NodeOptions } from "./sim-node.ts";
export { defaultEpochMs, Simulation, type SimulationOptions } from "./simulation.ts";
export { SimulationError, type SimulationReport } from "./simulation-error.ts";

/** The node names of the book's scenarios, in id order (0–5). */
export const nodeNames = ["athens", "byzantium", "cyrene", "delphi", "ephesus", "sparta"] as const;
