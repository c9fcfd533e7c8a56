import { invariant } from "@pods/core-interfaces";
import type { HistoryOperation } from "./history.ts";
import { EventList } from "./event-list.ts";
import { illegal, type Model } from "./model.ts";
import { operationHash, VisitedSet, type MemoryPool } from "./visited-set.ts";

/** A source of monotonic time in milliseconds, e.g. `{ monotonicMs: () => performance.now() }`. */
export interface MonotonicClock {
  /** Milliseconds since an arbitrary origin; never decreases. */
  monotonicMs(): number;
}

/** The outcome of searching one part of a history. */
export type SearchOutcome<State> =
  | { readonly kind: "linearizable" }
  | {
      readonly kind: "not linearizable";
      /**
       * The legal order (indexes into the part's operations) with the most returned operations
       * found, ending with a returned one.
       */
      readonly prefix: readonly number[];
      /** The model state after each operation of `prefix`. */
      readonly statesAfter: readonly State[];
    }
  | { readonly kind: "timeout" }
  | { readonly kind: "memory limit" };

/** How many loop iterations pass between two readings of the clock. */
const clockCheckInterval = 1024;

/**
 * Decides whether one part of a history is linearizable, by Wing and Gong's backtracking search
 * with Lowe's memoisation, as in porcupine. It runs in slices ({@link LinearizationSearch.run}) so
 * that the parts of a partitioned history can take turns, as if run in parallel: the first part
 * found not linearizable settles the verdict.
 *
 * The calls and returns sit in a doubly linked list sorted by time (see {@link EventList}). The
 * operations whose calls come before the first remaining return are the ones that may be
 * linearized next. Linearizing one removes ("lifts") its events from the list, pushes it on a
 * stack and continues from the head; reaching a return means its operation should already be
 * linearized, so the search pops the last choice, puts its events back and tries the next
 * candidate. A memo of (set of linearized operations, state) skips configurations explored
 * before. Open operations have no return event: they may be linearized after their call or
 * never, and the search succeeds once every returned operation is linearized.
 */
export class LinearizationSearch<State, Input, Output> {
  private readonly model: Model<State, Input, Output>;
  private readonly inputs: readonly Input[];
  private readonly outputs: readonly (Output | undefined)[];
  private readonly isClosed: Uint8Array;
  private readonly events: EventList;
  private readonly zobrist: Int32Array;
  private readonly linearized: Uint32Array;
  private readonly visited: VisitedSet;
  private readonly stackEvent: Int32Array;
  private readonly stackState: Int32Array;
  /** Model states by id: the search works on small integer ids. */
  private readonly states: State[];
  private readonly stateIds: Map<string | number, number>;
  private closedRemaining = 0;
  private depth = 0;
  private stateId = 0;
  private hash = 0;
  private entry: number;
  /** Returned operations left after the best prefix; the search aims to linearize them all. */
  private bestClosedRemaining: number;
  private bestPrefix: number[] = [];
  private bestStates: number[] = [];
  private outcome: SearchOutcome<State> | undefined;

  /**
   * @param model - the sequential specification.
   * @param operations - the part's operations, already validated.
   * @param memory - the memory budget the memo draws from.
   */
  constructor(
    model: Model<State, Input, Output>,
    operations: readonly HistoryOperation<Input, Output>[],
    memory: MemoryPool,
  ) {
    const count = operations.length;
    this.model = model;
    this.inputs = operations.map((operation) => operation.input);
    this.outputs = operations.map((operation) =>
      operation.return === null ? undefined : (operation.output ?? undefined),
    );
    this.isClosed = new Uint8Array(count);
    operations.forEach((operation, index) => {
      if (operation.return !== null) {
        this.isClosed[index] = 1;
        this.closedRemaining++;
      }
    });
    this.bestClosedRemaining = this.closedRemaining;
    this.events = new EventList(operations);
    this.entry = this.events.first();
    this.zobrist = new Int32Array(count);
    for (let index = 0; index < count; index++) this.zobrist[index] = operationHash(index);
    const words = Math.max(1, Math.ceil(count / 32));
    this.linearized = new Uint32Array(words);
    this.visited = new VisitedSet(words, memory);
    this.stackEvent = new Int32Array(count);
    this.stackState = new Int32Array(count);
    this.states = [model.initialState];
    this.stateIds = new Map([[model.stateKey(model.initialState), 0]]);
  }

  /**
   * Continues the search for at most `iterationsMax` steps, or until `clock` reaches
   * `deadlineMs`. Returns the outcome once known (and on every later call), `undefined` if the
   * search needs more steps.
   */
  run(
    iterationsMax: number,
    clock: MonotonicClock,
    deadlineMs: number,
  ): SearchOutcome<State> | undefined {
    if (this.outcome !== undefined) return this.outcome;
    const { events, isClosed, zobrist, linearized, visited, stackEvent, stackState } = this;
    const operationOf = events.operationOf;
    const next = events.next;
    let { closedRemaining, depth, stateId, hash, entry } = this;
    let outcome: SearchOutcome<State> | undefined;
    for (let iteration = 0; iteration < iterationsMax; iteration++) {
      if (closedRemaining === 0) {
        outcome = { kind: "linearizable" };
        break;
      }
      if (iteration % clockCheckInterval === 0 && clock.monotonicMs() >= deadlineMs) {
        outcome = { kind: "timeout" };
        break;
      }
      if (events.isCall[entry] === 1) {
        const operation = operationOf[entry]!;
        const nextState = this.transition(stateId, operation);
        if (nextState >= 0) {
          const word = operation >>> 5;
          const bit = 1 << (operation & 31);
          linearized[word]! |= bit;
          const nextHash = hash ^ zobrist[operation]!;
          const added = visited.add(linearized, nextHash, nextState);
          if (added === "added") {
            stackEvent[depth] = entry;
            stackState[depth] = stateId;
            depth++;
            stateId = nextState;
            hash = nextHash;
            closedRemaining -= isClosed[operation]!;
            events.lift(entry);
            if (closedRemaining < this.bestClosedRemaining) {
              this.recordBest(depth, stateId, closedRemaining);
            }
            entry = events.first();
            continue;
          }
          linearized[word]! &= ~bit;
          if (added === "full") {
            outcome = { kind: "memory limit" };
            break;
          }
        }
        entry = next[entry]!;
      } else {
        // A return: its operation had to be linearized before this point. Undo the last choice.
        invariant(!events.isTail(entry), "a returned operation is left, so a return comes first");
        if (depth === 0) {
          outcome = {
            kind: "not linearizable",
            prefix: this.bestPrefix,
            statesAfter: this.bestStates.map((id) => this.states[id]!),
          };
          break;
        }
        depth--;
        entry = stackEvent[depth]!;
        stateId = stackState[depth]!;
        const operation = operationOf[entry]!;
        linearized[operation >>> 5]! &= ~(1 << (operation & 31));
        hash ^= zobrist[operation]!;
        closedRemaining += isClosed[operation]!;
        events.unlift(entry);
        entry = next[entry]!;
      }
    }
    this.closedRemaining = closedRemaining;
    this.depth = depth;
    this.stateId = stateId;
    this.hash = hash;
    this.entry = entry;
    if (outcome !== undefined) {
      this.outcome = outcome;
      this.visited.release();
    }
    return outcome;
  }

  /** The id of the state after `operation` in state `stateId`, or -1 if its output is illegal. */
  private transition(stateId: number, operation: number): number {
    const state = this.states[stateId]!;
    const nextState = this.model.step(state, this.inputs[operation]!, this.outputs[operation]);
    if (nextState === illegal) return -1;
    if (nextState === state) return stateId;
    const key = this.model.stateKey(nextState);
    let id = this.stateIds.get(key);
    if (id === undefined) {
      id = this.states.length;
      this.states.push(nextState);
      this.stateIds.set(key, id);
    }
    return id;
  }

  /**
   * Remembers the stack as the best prefix so far: the one with the most returned operations
   * (open operations that take effect after the last of them do not count; they explain nothing).
   */
  private recordBest(depth: number, stateId: number, closedRemaining: number): void {
    const operationOf = this.events.operationOf;
    this.bestClosedRemaining = closedRemaining;
    this.bestPrefix = Array.from(
      this.stackEvent.subarray(0, depth),
      (event) => operationOf[event]!,
    );
    this.bestStates = [...this.stackState.subarray(1, depth), stateId];
  }
}
