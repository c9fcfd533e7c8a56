/**
 * @pods/clock-bound-wait: clock uncertainty made explicit. A {@link ClockBound} turns a clock and
 * its error bound into an interval [earliest, latest] around true time; a
 * {@link CommitWaitStore} waits out that uncertainty on writes and reads (commit wait, read
 * wait), so that a write acknowledged on one node is seen by every later read on any node; a
 * {@link ReadRestartStore} lets writes go without waiting and makes a read that finds a version in
 * its uncertainty window restart (a typed result, never a stale value); a {@link ClockFence} makes
 * a node whose clock drifted from the majority stop serving.
 *
 * @packageDocumentation
 */

export {
  ClockBound,
  defaultErrorBoundMsMax,
  timeDaemonErrorBoundMs,
  type ClockBoundOptions,
  type ClockInterval,
  type ErrorBoundSource,
  type TimeDaemonReport,
} from "./clock-bound.ts";
export {
  ClockFence,
  defaultMeasurementTtlMs,
  measureOffset,
  unsafeOffsetRatio,
  type ClockFenceOptions,
  type OffsetMeasurement,
  type OffsetProbe,
  type PeerOffset,
} from "./clock-fence.ts";
export {
  CommitWaitStore,
  defaultPendingWaitMsMax,
  type CommittedWrite,
  type CommitWaitStoreOptions,
  type WaitedRead,
  type WaitStats,
} from "./commit-wait-store.ts";
export {
  ClockUnsafeError,
  PendingWritesFullError,
  ReadRestartError,
  type ClockUnsafeReason,
  type PendingWritesLimit,
} from "./errors.ts";
export { hybridVersions } from "./hybrid-versions.ts";
export {
  defaultPendingMax,
  defaultWaitersMax,
  PendingWrites,
  type PendingHandle,
  type PendingWrite,
  type PendingWritesOptions,
  type SettleOptions,
} from "./pending-writes.ts";
export {
  ReadRestartStore,
  type ReadRestartStoreOptions,
  type RestartStats,
  type UncertainGet,
  type UncertainRange,
  type UncertainValue,
  type UncertainValues,
} from "./read-restart-store.ts";
export type { ClockCheck } from "./store-checks.ts";
export {
  defaultRestartAttemptsMax,
  readWithRestarts,
  UncertaintyWindow,
  type RestartedRead,
  type RestartRequired,
  type UncertaintyRequest,
  type UncertaintyWindowOptions,
} from "./uncertainty-window.ts";
export {
  defaultWaitMsMax,
  waitMarginMs,
  waitUntilPast,
  type WaitUntilPastOptions,
} from "./wait-until-past.ts";
