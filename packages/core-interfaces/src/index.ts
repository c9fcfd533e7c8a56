/**
 * @pods/core-interfaces: the ports every Pods pattern is written against — clock, scheduler,
 * random, transport, disk, codec, logger and the replicated state machine — plus the typed errors and the `invariant()` helper.
 * Types and tiny pure helpers only; no runtime dependencies.
 *
 * @packageDocumentation
 */

export type { Clock } from "./clock.ts";
export type { Codec } from "./codec.ts";
export {
  assertDiskPath,
  diskPathLengthMax,
  joinDiskPath,
  parentDiskPath,
  type Disk,
  type DiskFile,
  type OpenOptions,
} from "./disk.ts";
export type { Env } from "./env.ts";
export {
  ClockOffsetError,
  ClosedError,
  CompactedError,
  CorruptionError,
  DecodeError,
  InvalidArgumentError,
  InvariantError,
  IOError,
  isPodsError,
  NotLeaderError,
  PodsError,
  TimeoutError,
  UnreachableError,
  type ClockOffsetReading,
  type CorruptionLocation,
  type FailureOutcome,
  type IOFailure,
  type PodsErrorOptions,
} from "./errors.ts";
export { invariant } from "./invariant.ts";
export { logLevels, noopLogger, type LogFields, type Logger, type LogLevel } from "./logger.ts";
export { assertNodeId, compareNodeIds, nodeIdLengthMax, type NodeId } from "./node-id.ts";
export { assertIntRange, type Random } from "./random.ts";
export { assertDelayMs, delay, type Cancel, type Scheduler } from "./scheduler.ts";
export type { CommittedCommand, StateMachine } from "./state-machine.ts";
export type { MessageHandler, Transport } from "./transport.ts";
