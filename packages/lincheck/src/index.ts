/**
 * @pods/lincheck: a linearizability checker for concurrent histories of client operations, with
 * pluggable sequential models (a register and a key-value store ship) and a CLI.
 *
 * @packageDocumentation
 */

export {
  checkHistory,
  checkOperations,
  defaultMemoBytesMax,
  defaultTimeoutMs,
  type CheckHistoryOptions,
  type CheckOptions,
  type CheckResult,
  type CheckVerdict,
  type LinearizableResult,
  type NotLinearizableResult,
  type UnknownResult,
} from "./check.ts";
export { runCli, type CliIo } from "./cli-run.ts";
export {
  formatExplanation,
  type BlockedOperation,
  type Explanation,
  type FormatExplanationOptions,
  type LinearizedStep,
  type OperationReference,
} from "./explanation.ts";
export type { HistoryFile, HistoryOperation, Verdict } from "./history.ts";
export { kvModel, type KvInput, type KvOutput, type KvState } from "./kv-model.ts";
export { illegal, type AnyModel, type Illegal, type Model, type Partition } from "./model.ts";
export { builtInModels, modelFor } from "./models.ts";
export { parseHistory, parseOperations, type ParseHistoryOptions } from "./parse-history.ts";
export {
  registerModel,
  type RegisterInput,
  type RegisterOutput,
  type RegisterState,
} from "./register-model.ts";
export type { MonotonicClock } from "./search.ts";
