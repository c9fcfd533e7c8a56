// A deliberately naive linearizability checker for small histories, written straight from the
// definition in the test data README, to test the real search against: try every order of every
// set of operations that holds all returned ones (and any subset of the open ones), and accept if
// one keeps real-time order and replays legally on the model.
import type { HistoryOperation, Model } from "@pods/lincheck";
import { illegal } from "@pods/lincheck";

function* permutations(items: readonly number[]): Generator<number[]> {
  if (items.length === 0) {
    yield [];
    return;
  }
  for (let position = 0; position < items.length; position++) {
    const rest = [...items.slice(0, position), ...items.slice(position + 1)];
    for (const tail of permutations(rest)) yield [items[position]!, ...tail];
  }
}

function keepsRealTimeOrder(
  operations: readonly HistoryOperation<unknown, unknown>[],
  order: readonly number[],
): boolean {
  // If B returned before A was called, B must not come after A.
  for (let first = 0; first < order.length; first++) {
    for (let later = first + 1; later < order.length; later++) {
      const returned = operations[order[later]!]!.return;
      if (returned !== null && returned < operations[order[first]!]!.call) return false;
    }
  }
  return true;
}

function replaysLegally<State, Input, Output>(
  model: Model<State, Input, Output>,
  operations: readonly HistoryOperation<Input, Output>[],
  order: readonly number[],
): boolean {
  let state = model.initialState;
  for (const index of order) {
    const operation = operations[index]!;
    const output = operation.return === null ? undefined : (operation.output ?? undefined);
    const next = model.step(state, operation.input, output);
    if (next === illegal) return false;
    state = next;
  }
  return true;
}

/** Whether the history is linearizable, by exhaustive enumeration (use on ≤ 8 operations). */
export function bruteForceLinearizable<State, Input, Output>(
  model: Model<State, Input, Output>,
  operations: readonly HistoryOperation<Input, Output>[],
): boolean {
  const indexes = operations.map((_, index) => index);
  const closed = indexes.filter((index) => operations[index]!.return !== null);
  const open = indexes.filter((index) => operations[index]!.return === null);
  for (let subset = 0; subset < 1 << open.length; subset++) {
    const chosen = [...closed, ...open.filter((_, bit) => (subset & (1 << bit)) !== 0)];
    for (const order of permutations(chosen)) {
      if (keepsRealTimeOrder(operations, order) && replaysLegally(model, operations, order)) {
        return true;
      }
    }
  }
  return false;
}
