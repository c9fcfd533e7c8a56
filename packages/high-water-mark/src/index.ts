/**
 * @pods/high-water-mark: the commit index of a replicated log — computed by the leader from a
 * quorum of match indexes and its current generation, spread to followers, never decreasing,
 * persisted lazily as a lower bound — and what it gates: the apply loop, committed reads, and
 * log truncation.
 *
 * @packageDocumentation
 */

export { planAppend, type AppendPlan } from "./append-plan.ts";
export { ApplyLoop, type ApplyLoopOptions, type EntrySource } from "./apply-loop.ts";
export { EntryOverwrittenError, NotCommittedError } from "./errors.ts";
export { defaultMarkPath, HighWaterMark, type HighWaterMarkOptions } from "./high-water-mark.ts";
export {
  LeaderCommitTracker,
  type FollowerProgress,
  type LeaderCommitTrackerOptions,
} from "./leader-commit-tracker.ts";
