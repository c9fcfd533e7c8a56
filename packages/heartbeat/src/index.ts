/**
 * @pods/heartbeat: heartbeats and failure detection — a scheduler that sends beats at a fixed
 * interval with optional jitter, and fixed-timeout and phi-accrual failure detectors on monotonic
 * time that count every inbound message as a heartbeat and notice pauses of their own process.
 *
 * @packageDocumentation
 */

export { BaseFailureDetector, type FailureDetectorOptions } from "./base-failure-detector.ts";
export { AlreadyStartedError } from "./errors.ts";
export type {
  DetectorEnv,
  FailureDetector,
  PeerState,
  PeerStatus,
  PeerStatusChange,
  PeerStatusListener,
} from "./failure-detector.ts";
export {
  FixedTimeoutDetector,
  type FixedTimeoutDetectorOptions,
} from "./fixed-timeout-detector.ts";
export {
  HeartbeatScheduler,
  type HeartbeatEnv,
  type HeartbeatSchedulerOptions,
} from "./heartbeat-scheduler.ts";
export { heartbeatDefaults } from "./options.ts";
export { computePhi } from "./phi.ts";
export {
  PhiAccrualDetector,
  type ArrivalStats,
  type PhiAccrualDetectorOptions,
} from "./phi-accrual-detector.ts";
export type { RoundTripEstimate } from "./round-trip.ts";
export {
  countInboundMessages,
  sendToPeers,
  type SendToPeersOptions,
} from "./transport-heartbeats.ts";
