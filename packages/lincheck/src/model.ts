import type { HistoryOperation } from "./history.ts";

/**
 * What {@link Model.step} returns when an operation's answer is not what the model would answer in
 * the given state.
 */
export const illegal: unique symbol = Symbol("illegal");

/** The type of {@link illegal}. */
export type Illegal = typeof illegal;

/**
 * A slice of a history that can be checked on its own (P-compositionality): for a key-value store,
 * the operations on one key. A history is linearizable exactly when each of its parts is.
 */
export interface Partition {
  /** Names the part in explanations, e.g. `key "x"`. */
  readonly label: string;
  /** Positions of the part's operations in the history's `operations` array. */
  readonly indexes: readonly number[];
}

/**
 * A sequential specification that histories are checked against. Implement one for your own data
 * type; see {@link registerModel} and {@link kvModel} for complete examples.
 *
 * States must be treated as immutable: {@link Model.step} returns a new state instead of changing
 * the one it is given, because the checker backtracks to earlier states.
 *
 * @typeParam State - the model's state.
 * @typeParam Input - a request.
 * @typeParam Output - a response.
 */
export interface Model<State, Input, Output> {
  /** The name history files use in their `model` field, e.g. `"register"`. */
  readonly name: string;
  /** The state before any operation. */
  readonly initialState: State;
  /**
   * Applies one operation. Returns the next state if `output` is what the model answers in
   * `state`, and {@link illegal} otherwise. `output` is `undefined` for an open operation (one that
   * never returned): its answer is unknown, so it must be accepted, and the state changes as the
   * operation would change it.
   */
  step(state: State, input: Input, output: Output | undefined): State | Illegal;
  /**
   * A key that is equal for two states exactly when the states are equal; the checker remembers
   * (set of linearized operations, state key) pairs it has explored.
   */
  stateKey(state: State): string | number;
  /**
   * Checks a request read from a history and returns it typed.
   *
   * @param where - names the value in error messages, e.g. `"operation 12: input"`.
   * @throws InvalidArgumentError naming `where` when the request is malformed.
   */
  parseInput(input: unknown, where: string): Input;
  /**
   * Checks the answer to `input` read from a history and returns it typed.
   *
   * @param where - names the value in error messages, e.g. `"operation 12: output"`.
   * @throws InvalidArgumentError naming `where` when the answer is malformed.
   */
  parseOutput(output: unknown, input: Input, where: string): Output;
  /**
   * Splits a history into parts that never constrain each other (optional). Every operation must
   * be in exactly one part. Without it the history is checked as one part.
   */
  partition?(operations: readonly HistoryOperation<Input, Output>[]): readonly Partition[];
  /**
   * Describes an operation in words, e.g. `read → 3`, or `cas 1→2` when `output` is `undefined`
   * (an open operation).
   */
  describeOperation(input: Input, output: Output | undefined): string;
  /** Describes a state in words, e.g. `the register holds 4`. */
  describeState(state: State): string;
}

/**
 * A model of any types, as kept in a list of models. Methods of {@link Model} are checked
 * bivariantly, so every `Model<S, I, O>` is an `AnyModel`.
 */
export type AnyModel = Model<unknown, unknown, unknown>;
