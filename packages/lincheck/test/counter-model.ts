import { InvalidArgumentError } from "@pods/core-interfaces";
import { checkOperations, illegal, type Model } from "@pods/lincheck";

type CounterInput = { readonly op: "increment" } | { readonly op: "get" };
interface CounterOutput {
  readonly value?: number; // the answer of a get
}

export const counterModel: Model<number, CounterInput, CounterOutput> = {
  name: "counter",
  initialState: 0,
  step(state, input, output) {
    if (input.op === "increment") return state + 1;
    // A get never returned (output undefined) is always fine; otherwise it must see the count.
    return output === undefined || output.value === state ? state : illegal;
  },
  stateKey: (state) => state,
  parseInput(input, where) {
    const op = (input as { op?: unknown } | null)?.op;
    if (op === "increment" || op === "get") return { op };
    throw new InvalidArgumentError(`${where}.op must be "increment" or "get"; fix the history.`);
  },
  parseOutput(output, input, where) {
    if (input.op === "increment") return {};
    const value = (output as { value?: unknown } | null)?.value;
    if (Number.isSafeInteger(value)) return { value: value as number };
    throw new InvalidArgumentError(`${where}.value must be an integer; fix the history.`);
  },
  describeOperation: (input, output) =>
    input.op === "increment" ? "increment" : `get → ${output?.value ?? "?"}`,
  describeState: (state) => `the counter is at ${state}`,
};

const result = checkOperations(counterModel, [
  { client: 0, call: 0, return: 5, input: { op: "increment" }, output: {} },
  { client: 1, call: 1, return: 2, input: { op: "get" }, output: { value: 1 } },
]);
console.log(result.verdict); // "linearizable": the increment took effect before the get
