import { InvalidArgumentError, invariant } from "@pods/core-interfaces";
import type { HistoryOperation } from "./history.ts";
import { illegal, type Model, type Partition } from "./model.ts";

/** An operation of the history, as shown in an explanation. */
export interface OperationReference<Input, Output> {
  /** Its position in the history's `operations` array. */
  readonly index: number;
  /** The operation. */
  readonly operation: HistoryOperation<Input, Output>;
  /** Its index, client and times, e.g. `#12 (client 3, 40–45)`. */
  readonly label: string;
  /** The label and the operation in words, e.g. `#12 (client 3, 40–45): write 4`. */
  readonly description: string;
}

/** One operation of the longest linearizable prefix, and the state it leaves. */
export interface LinearizedStep<State, Input, Output> extends OperationReference<Input, Output> {
  /** The model's state after the operation. */
  readonly stateAfter: State;
  /** That state in words, e.g. `the register holds 4`. */
  readonly stateDescription: string;
}

/**
 * A returned operation that could come right after the longest prefix, and why it cannot: its
 * answer is wrong in the state the prefix leaves. (Had its answer fitted, the prefix would not be
 * longest.)
 */
export interface BlockedOperation<Input, Output> extends OperationReference<Input, Output> {
  /** Why it cannot come next, e.g. `read → 3, but the register holds 4`. */
  readonly reason: string;
}

/**
 * Why a history is not linearizable: in one part of it (the whole history unless the model
 * partitions it), the longest order of operations the search could justify (the one with the most
 * returned operations), and the returned operations that could come next, each with the reason
 * its answer is wrong there. Letting open operations take effect first does not help either.
 * Every other operation of the part that is not in the prefix was called after one of `blocked`
 * returned.
 */
export interface Explanation<State, Input, Output> {
  /** The part concerned, e.g. `key "x"`, or `the history` when the model does not partition. */
  readonly partition: string;
  /** How many operations that part has. */
  readonly operationCount: number;
  /** The longest linearizable prefix found, in order. */
  readonly prefix: readonly LinearizedStep<State, Input, Output>[];
  /** The state after the prefix (the initial state if it is empty), in words. */
  readonly stateDescription: string;
  /** The returned operations that could come next, none of which fits. */
  readonly blocked: readonly BlockedOperation<Input, Output>[];
  /**
   * The open operations (never returned) that could come next: letting any of them take effect
   * does not make room for another returned operation.
   */
  readonly open: readonly OperationReference<Input, Output>[];
}

/** Options of {@link formatExplanation}. */
export interface FormatExplanationOptions {
  /** Show at most this many of the prefix's last operations; default 12. */
  readonly prefixStepsMax?: number;
}

const defaultPrefixStepsMax = 12;

/** The label of the single part of a history that a model does not partition. */
export const wholeHistoryLabel = "the history";

/** Labels a history's operation with its index, client and times, e.g. `#12 (client 3, 40–45)`. */
export function labelOperation(
  operation: HistoryOperation<unknown, unknown>,
  index: number,
): string {
  const when =
    operation.return === null
      ? `called ${operation.call}, never returned`
      : `${operation.call}–${operation.return}`;
  return `#${index} (client ${operation.client}, ${when})`;
}

function answerOf<Input, Output>(operation: HistoryOperation<Input, Output>): Output | undefined {
  return operation.return === null ? undefined : (operation.output ?? undefined);
}

/**
 * Builds the explanation of a failed search over `part` of `operations`.
 *
 * @param prefix - the longest linearizable prefix, as positions in `part.indexes`.
 * @param statesAfter - the model state after each operation of `prefix`.
 */
export function explainViolation<State, Input, Output>(
  model: Model<State, Input, Output>,
  operations: readonly HistoryOperation<Input, Output>[],
  part: Partition,
  prefix: readonly number[],
  statesAfter: readonly State[],
): Explanation<State, Input, Output> {
  const reference = (index: number): OperationReference<Input, Output> => {
    const operation = operations[index]!;
    const label = labelOperation(operation, index);
    const words = model.describeOperation(operation.input, answerOf(operation));
    return { index, operation, label, description: `${label}: ${words}` };
  };
  const steps = prefix.map((local, position) => {
    const stateAfter = statesAfter[position]!;
    return {
      ...reference(part.indexes[local]!),
      stateAfter,
      stateDescription: model.describeState(stateAfter),
    };
  });
  const state = statesAfter.at(-1) ?? model.initialState;
  const placed = new Set(prefix.map((local) => part.indexes[local]!));
  const remaining = part.indexes.filter((index) => !placed.has(index));
  // The next operation must be called no later than the earliest return among those left.
  let windowEnd = Number.POSITIVE_INFINITY;
  for (const index of remaining) {
    windowEnd = Math.min(windowEnd, operations[index]!.return ?? Number.POSITIVE_INFINITY);
  }
  const candidates = remaining
    .filter((index) => operations[index]!.call <= windowEnd)
    .sort((a, b) => operations[a]!.call - operations[b]!.call || a - b);
  const blocked = candidates
    .filter((index) => operations[index]!.return !== null)
    .map((index) => {
      const { input, output } = operations[index]!;
      const answer = output ?? undefined;
      invariant(
        model.step(state, input, answer) === illegal,
        () => `operation ${index} fits after the longest prefix, so that prefix is not longest`,
      );
      const reason = `${model.describeOperation(input, answer)}, but ${model.describeState(state)}`;
      return { ...reference(index), reason };
    });
  const open = candidates
    .filter((index) => operations[index]!.return === null)
    .map((index) => reference(index));
  return {
    partition: part.label,
    operationCount: part.indexes.length,
    prefix: steps,
    stateDescription: model.describeState(state),
    blocked,
    open,
  };
}

/**
 * Renders an explanation as readable lines (without newlines), e.g.
 *
 * ```text
 * in the history (2 operations):
 * the longest linearizable prefix has 1 operation:
 *   #0 (client 0, 0–1): write 1  ⇒ the register holds 1
 * after it the register holds 1, and every returned operation that could come next answers wrongly:
 *   #1 (client 1, 2–3): read → 2, but the register holds 1
 * ```
 *
 * @throws InvalidArgumentError if `options.prefixStepsMax` is not a non-negative integer.
 */
export function formatExplanation<State, Input, Output>(
  explanation: Explanation<State, Input, Output>,
  options: FormatExplanationOptions = {},
): string[] {
  const prefixStepsMax = options.prefixStepsMax ?? defaultPrefixStepsMax;
  if (!Number.isSafeInteger(prefixStepsMax) || prefixStepsMax < 0) {
    throw new InvalidArgumentError(
      `prefixStepsMax must be a non-negative integer, got ${prefixStepsMax}.`,
    );
  }
  const { partition, operationCount, prefix, stateDescription, blocked, open } = explanation;
  const shown = prefix.slice(prefix.length - Math.min(prefix.length, prefixStepsMax));
  const lines = [`in ${partition} (${operations(operationCount)}):`];
  if (prefix.length > 0) {
    const which = shown.length < prefix.length ? `, the last ${shown.length}` : "";
    lines.push(`the longest linearizable prefix has ${operations(prefix.length)}${which}:`);
    for (const step of shown) lines.push(`  ${step.description}  ⇒ ${step.stateDescription}`);
  }
  lines.push(
    `${prefix.length > 0 ? "after it" : "at the start"} ${stateDescription}, and every ` +
      "returned operation that could come next answers wrongly:",
  );
  for (const operation of blocked) lines.push(`  ${operation.label}: ${operation.reason}`);
  if (open.length > 0) {
    lines.push("and letting an operation that never returned take effect first does not help:");
    for (const operation of open) lines.push(`  ${operation.description}`);
  }
  return lines;
}

function operations(count: number): string {
  return count === 1 ? "1 operation" : `${count} operations`;
}
