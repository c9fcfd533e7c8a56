import { InvalidArgumentError, invariant } from "@pods/core-interfaces";
import { explainViolation, wholeHistoryLabel, type Explanation } from "./explanation.ts";
import type { HistoryFile, HistoryOperation, Verdict } from "./history.ts";
import type { AnyModel, Model, Partition } from "./model.ts";
import { builtInModels, modelFor } from "./models.ts";
import { parseOperations } from "./parse-history.ts";
import { LinearizationSearch, type MonotonicClock } from "./search.ts";

/** The default of {@link CheckOptions.timeoutMs}: 10 seconds. */
export const defaultTimeoutMs = 10_000;
/** The default of {@link CheckOptions.memoBytesMax}: 256 MiB. */
export const defaultMemoBytesMax = 256 * 1024 * 1024;

/** Options of {@link checkOperations} and {@link checkHistory}. */
export interface CheckOptions {
  /**
   * The time budget of the whole check, in milliseconds; when it runs out the verdict is
   * `unknown`. Default {@link defaultTimeoutMs}; `Infinity` disables it.
   */
  readonly timeoutMs?: number;
  /**
   * The most memory, in bytes, the memo of explored configurations may take (summed over the
   * parts of a partitioned history); when full the verdict is `unknown`. Model states are kept
   * besides. Default {@link defaultMemoBytesMax}.
   */
  readonly memoBytesMax?: number;
  /** The time source of the deadline; default `performance.now()`. */
  readonly clock?: MonotonicClock;
}

/** Options of {@link checkHistory}. */
export interface CheckHistoryOptions extends CheckOptions {
  /** The models a file may name; default {@link builtInModels}. */
  readonly models?: readonly AnyModel[];
}

/** A verdict, or `unknown` when the check ran out of time or memory first. */
export type CheckVerdict = Verdict | "unknown";

/** The history is linearizable. */
export interface LinearizableResult {
  /** The verdict. */
  readonly verdict: "linearizable";
}

/** The history is not linearizable; the explanation says where and why. */
export interface NotLinearizableResult<State, Input, Output> {
  /** The verdict. */
  readonly verdict: "not linearizable";
  /** The part that failed, its longest linearizable prefix, and the operations that don't fit. */
  readonly explanation: Explanation<State, Input, Output>;
}

/** The check gave up before reaching a verdict. It never guesses. */
export interface UnknownResult {
  /** The verdict. */
  readonly verdict: "unknown";
  /** What ran out: the time budget (`timeoutMs`) or the memo's memory (`memoBytesMax`). */
  readonly reason: "timeout" | "memory limit";
  /** The part whose search gave up first, e.g. `key "x"`. */
  readonly partition: string;
}

/** The result of a check; narrow it on `verdict`. */
export type CheckResult<State = unknown, Input = unknown, Output = unknown> =
  LinearizableResult | NotLinearizableResult<State, Input, Output> | UnknownResult;

/** Search steps a part runs before the next part takes its turn; doubles up to the maximum. */
const sliceIterationsInitial = 4096;
const sliceIterationsMax = 1 << 20;

const performanceClock: MonotonicClock = { monotonicMs: () => performance.now() };

/**
 * Checks whether a concurrent history of `model` operations is linearizable. The operations are
 * validated first (see {@link parseOperations}); a model with a `partition` function has each part
 * checked on its own, the parts taking turns so that a violation in any of them is found early.
 *
 * @throws InvalidArgumentError when an operation or an option is invalid.
 */
export function checkOperations<State, Input, Output>(
  model: Model<State, Input, Output>,
  operations: readonly HistoryOperation<Input, Output>[],
  options: CheckOptions = {},
): CheckResult<State, Input, Output> {
  const timeoutMs = options.timeoutMs ?? defaultTimeoutMs;
  if (!(timeoutMs > 0)) {
    throw new InvalidArgumentError(
      `timeoutMs must be a positive number of milliseconds (Infinity for none), got ${timeoutMs}.`,
    );
  }
  const memoBytesMax = options.memoBytesMax ?? defaultMemoBytesMax;
  if (!Number.isSafeInteger(memoBytesMax) || memoBytesMax <= 0) {
    throw new InvalidArgumentError(
      `memoBytesMax must be a positive integer number of bytes, got ${memoBytesMax}.`,
    );
  }
  const clock = options.clock ?? performanceClock;
  const deadlineMs = clock.monotonicMs() + timeoutMs;
  const parsed = parseOperations(model, operations);
  const parts = partitionOf(model, parsed);
  const memory = { bytesFree: memoBytesMax };
  let pending = parts.map((part) => ({
    part,
    search: new LinearizationSearch(
      model,
      part.indexes.map((index) => parsed[index]!),
      memory,
    ),
  }));
  let unknown: UnknownResult | undefined;
  for (let slice = sliceIterationsInitial; pending.length > 0;) {
    const running: typeof pending = [];
    for (const { part, search } of pending) {
      const outcome = search.run(slice, clock, deadlineMs);
      if (outcome === undefined) {
        running.push({ part, search });
      } else if (outcome.kind === "not linearizable") {
        const { prefix, statesAfter } = outcome;
        const explanation = explainViolation(model, parsed, part, prefix, statesAfter);
        return { verdict: "not linearizable", explanation };
      } else if (outcome.kind !== "linearizable") {
        unknown ??= { verdict: "unknown", reason: outcome.kind, partition: part.label };
      }
    }
    pending = running;
    slice = Math.min(slice * 2, sliceIterationsMax);
  }
  return unknown ?? { verdict: "linearizable" };
}

function partitionOf<State, Input, Output>(
  model: Model<State, Input, Output>,
  operations: readonly HistoryOperation<Input, Output>[],
): readonly Partition[] {
  if (model.partition === undefined) {
    return [{ label: wholeHistoryLabel, indexes: operations.map((_, index) => index) }];
  }
  const parts = model.partition(operations);
  const seen = new Uint8Array(operations.length);
  for (const part of parts) {
    for (const index of part.indexes) {
      invariant(
        Number.isInteger(index) && index >= 0 && index < operations.length && seen[index] === 0,
        () => `model "${model.name}" partitioned operation ${index} twice or out of range`,
      );
      seen[index] = 1;
    }
  }
  invariant(
    seen.every((flag) => flag === 1),
    () => `model "${model.name}" left an operation out of its partition`,
  );
  return parts;
}

/**
 * Checks a history file against the model its `model` field names.
 *
 * @throws InvalidArgumentError when the model is unknown, or an operation or option is invalid.
 */
export function checkHistory(file: HistoryFile, options: CheckHistoryOptions = {}): CheckResult {
  return checkOperations(
    modelFor(file.model, options.models ?? builtInModels),
    file.operations,
    options,
  );
}
