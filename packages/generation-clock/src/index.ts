/**
 * @pods/generation-clock: generations (terms, epochs) that only grow — a durable current
 * generation and vote written together, the rules for stale and newer generations, a fencing
 * check for resources, the generation history of a log for finding where logs diverge,
 * monotonic ids for ballots, generation voting (quorum-granted numbers), and a restart counter.
 *
 * @packageDocumentation
 */

export { GenerationVotingFailedError, StaleGenerationError } from "./errors.ts";
export {
  assertGeneration,
  GenerationFence,
  judgeGeneration,
  type GenerationVerdict,
} from "./fencing.ts";
export {
  defaultGenerationPath,
  GenerationClock,
  type GenerationClockOptions,
  type GenerationState,
} from "./generation-clock.ts";
export {
  GenerationHistory,
  type ConflictHint,
  type GenerationLog,
  type GenerationStart,
  type IndexedGeneration,
} from "./generation-history.ts";
export {
  GenerationVoting,
  type GenerationVotingMessage,
  type GenerationVotingOptions,
} from "./generation-voting.ts";
export {
  acceptsBallot,
  compareMonotonicIds,
  emptyMonotonicId,
  monotonicId,
  nextMonotonicId,
  type MonotonicId,
} from "./monotonic-id.ts";
export { RecordFile, recordBytesMax, type RecordFormat } from "./record-file.ts";
export {
  defaultRestartPath,
  nextRestartGeneration,
  type RestartGenerationOptions,
} from "./restart-generation.ts";
