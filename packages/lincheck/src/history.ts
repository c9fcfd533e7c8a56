/**
 * One client operation of a concurrent history, in the JSON format of Pods' linearizability test
 * data (see the package README): who called it, when it was invoked and when it returned, what was
 * asked and what was answered.
 *
 * @typeParam Input - the model's request type.
 * @typeParam Output - the model's response type.
 */
export interface HistoryOperation<Input = unknown, Output = unknown> {
  /** A non-negative integer naming the client; a client's operations never overlap in time. */
  readonly client: number;
  /** The logical time the operation was invoked. */
  readonly call: number;
  /**
   * The logical time its response arrived, greater than `call`; `null` when no response was ever
   * seen (timeout, crash): such an open operation may or may not have taken effect.
   */
  readonly return: number | null;
  /** What was requested. */
  readonly input: Input;
  /** What was answered; always `null` when `return` is `null`. */
  readonly output: Output | null;
}

/** The verdict of a linearizability check. */
export type Verdict = "linearizable" | "not linearizable";

/** A history file: the model it is checked against and its operations. */
export interface HistoryFile<Input = unknown, Output = unknown> {
  /** The name of the sequential model, e.g. `"register"` or `"kv"`. */
  readonly model: string;
  /** The known verdict, when the file is test data. */
  readonly expected?: Verdict;
  /** Where the history came from; informational. */
  readonly source?: string;
  /** The operations, in no meaningful order. */
  readonly operations: readonly HistoryOperation<Input, Output>[];
}
