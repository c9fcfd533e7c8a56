import { InvalidArgumentError } from "@pods/core-interfaces";
import type { HistoryFile, HistoryOperation } from "@pods/lincheck";

/** Where a recorded operation stands. */
export type OperationState = "pending" | "ok" | "failed" | "indeterminate";

interface Entry<Input, Output> {
  readonly client: number;
  readonly call: number;
  readonly input: Input;
  state: OperationState;
  return: number | null;
  output: Output | null;
}

/** Options of {@link History.toHistoryFile}. */
export interface HistoryFileOptions {
  /** Where the history came from (e.g. `"raft kv, seed 42"`); informational. */
  readonly source?: string;
}

/**
 * One client operation being recorded: complete it exactly once with {@link RecordedOperation.ok},
 * {@link RecordedOperation.fail} or {@link RecordedOperation.indeterminate}.
 */
export class RecordedOperation<Output> {
  readonly #complete: (state: Exclude<OperationState, "pending">, output: Output | null) => void;
  readonly #state: () => OperationState;

  /** @internal */
  constructor(
    complete: (state: Exclude<OperationState, "pending">, output: Output | null) => void,
    state: () => OperationState,
  ) {
    this.#complete = complete;
    this.#state = state;
  }

  /** Where the operation stands. */
  get state(): OperationState {
    return this.#state();
  }

  /** The operation returned `output`. */
  ok(output: Output): void {
    this.#complete("ok", output);
  }

  /**
   * The operation failed definitely: it did not and never will take effect. It is left out of
   * the history (a definite failure constrains nothing).
   */
  fail(): void {
    this.#complete("failed", null);
  }

  /**
   * The outcome is unknown (timeout, connection lost, crash): the operation may have taken effect
   * or may still. It stays open in the history, and the client's next operation gets a new client
   * id, as the format requires.
   */
  indeterminate(): void {
    this.#complete("indeterminate", null);
  }
}

/**
 * Records client operations (invoke, then ok / fail / indeterminate) and exports them in the
 * history format of `@pods/lincheck` for a linearizability check.
 *
 * Times are a logical counter advanced at every invoke and every completion, so they are distinct
 * and ordered as the events happened. A logical client (any name) is mapped to numeric client ids:
 * it keeps its id until an operation of it ends indeterminate, then gets a fresh one. Operations
 * still pending at export are open (`return: null`).
 *
 * @typeParam Input - the model's request type.
 * @typeParam Output - the model's response type.
 */
export class History<Input = unknown, Output = unknown> {
  readonly #entries: Entry<Input, Output>[] = [];
  readonly #clientIds = new Map<string | number, number>();
  readonly #busy = new Map<string | number, Entry<Input, Output>>();
  #nextClientId = 0;
  #time = 0;

  /** How many operations were invoked (failed ones included). */
  get size(): number {
    return this.#entries.length;
  }

  /**
   * Records that `client` invoked an operation with `input` (copied: later changes to the object
   * do not change the history).
   *
   * @throws `InvalidArgumentError` when `client` still has an operation in flight.
   */
  invoke(client: string | number, input: Input): RecordedOperation<Output> {
    const inFlight = this.#busy.get(client);
    if (inFlight !== undefined) {
      throw new InvalidArgumentError(
        `client ${JSON.stringify(client)} invoked an operation while its operation invoked at ` +
          `${inFlight.call} is in flight; complete that one first (ok, fail or indeterminate), or ` +
          "use one client name per concurrent caller.",
      );
    }
    let clientId = this.#clientIds.get(client);
    if (clientId === undefined) {
      clientId = this.#nextClientId++;
      this.#clientIds.set(client, clientId);
    }
    const entry: Entry<Input, Output> = {
      client: clientId,
      call: this.#time++,
      input: structuredClone(input),
      state: "pending",
      return: null,
      output: null,
    };
    this.#entries.push(entry);
    this.#busy.set(client, entry);
    return new RecordedOperation<Output>(
      (state, output) => {
        if (entry.state !== "pending") {
          throw new InvalidArgumentError(
            `the operation of client ${JSON.stringify(client)} invoked at ${entry.call} was ` +
              `completed already (${entry.state}); complete each operation once.`,
          );
        }
        entry.state = state;
        this.#busy.delete(client);
        if (state === "ok") {
          entry.return = this.#time++;
          entry.output = structuredClone(output);
        } else if (state === "indeterminate") {
          this.#clientIds.delete(client);
        }
      },
      () => entry.state,
    );
  }

  /**
   * The history as a lincheck `HistoryFile` for `model`, operations ordered by call time.
   * Failed operations are left out; pending and indeterminate ones are open.
   */
  toHistoryFile(model: string, options: HistoryFileOptions = {}): HistoryFile<Input, Output> {
    const operations: HistoryOperation<Input, Output>[] = this.#entries
      .filter((entry) => entry.state !== "failed")
      .map((entry) => ({
        client: entry.client,
        call: entry.call,
        return: entry.return,
        input: entry.input,
        output: entry.output,
      }));
    return options.source === undefined
      ? { model, operations }
      : { model, source: options.source, operations };
  }
}
