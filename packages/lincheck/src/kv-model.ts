import type { HistoryOperation } from "./history.ts";
import { illegal, type Illegal, type Model, type Partition } from "./model.ts";
import { expectObject, expectOneOf, expectString } from "./validate.ts";

/**
 * The key-value store's state: the keys whose value is not empty. A key that is missing holds the
 * empty string, so a key set to `""` is removed and equal stores are equal maps.
 */
export type KvState = ReadonlyMap<string, string>;

/** A request to the key-value store. */
export type KvInput =
  | { readonly op: "get"; readonly key: string }
  | { readonly op: "put"; readonly key: string; readonly value: string }
  | { readonly op: "append"; readonly key: string; readonly value: string };

/** The store's answer: `{value}` for `get`, `{}` for `put` and `append`. */
export interface KvOutput {
  /** The value a `get` returned (`""` for a missing key); absent otherwise. */
  readonly value?: string;
}

const emptyStore: KvState = new Map();

function withValue(state: KvState, key: string, value: string): KvState {
  if ((state.get(key) ?? "") === value) return state;
  const next = new Map(state);
  if (value === "") next.delete(key);
  else next.set(key, value);
  return next;
}

function kvStep(state: KvState, input: KvInput, output: KvOutput | undefined): KvState | Illegal {
  switch (input.op) {
    case "get":
      if (output === undefined) return state;
      return output.value === (state.get(input.key) ?? "") ? state : illegal;
    case "put":
      return withValue(state, input.key, input.value);
    case "append":
      return withValue(state, input.key, (state.get(input.key) ?? "") + input.value);
  }
}

/** Length-prefixed entries in key order: unambiguous, and cheaper than escaping the values. */
function kvStateKey(state: KvState): string {
  if (state.size === 1) {
    for (const [key, value] of state) return `${key.length}:${key}${value.length}:${value}`;
  }
  const keys = [...state.keys()];
  if (keys.length > 1) keys.sort();
  let encoded = "";
  for (const key of keys) {
    const value = state.get(key) ?? "";
    encoded += `${key.length}:${key}${value.length}:${value}`;
  }
  return encoded;
}

function parseKvInput(input: unknown, where: string): KvInput {
  const fields = expectObject(input, where);
  const op = expectOneOf(fields.op, ["get", "put", "append"], `${where}.op`);
  const key = expectString(fields.key, `${where}.key`);
  switch (op) {
    case "get":
      return { op, key };
    case "put":
    case "append":
      return { op, key, value: expectString(fields.value, `${where}.value of a ${op}`) };
  }
}

function parseKvOutput(output: unknown, input: KvInput, where: string): KvOutput {
  const fields = expectObject(output, where);
  return input.op === "get" ? { value: expectString(fields.value, `${where}.value of a get`) } : {};
}

function partitionByKey(operations: readonly HistoryOperation<KvInput, KvOutput>[]): Partition[] {
  const byKey = new Map<string, number[]>();
  operations.forEach((operation, index) => {
    const indexes = byKey.get(operation.input.key);
    if (indexes === undefined) byKey.set(operation.input.key, [index]);
    else indexes.push(index);
  });
  return [...byKey.keys()]
    .sort()
    .map((key) => ({ label: `key ${JSON.stringify(key)}`, indexes: byKey.get(key) ?? [] }));
}

function describeKvOperation(input: KvInput, output: KvOutput | undefined): string {
  const key = JSON.stringify(input.key);
  switch (input.op) {
    case "get":
      return output === undefined ? `get ${key}` : `get ${key} → ${JSON.stringify(output.value)}`;
    case "put":
      return `put ${key} := ${JSON.stringify(input.value)}`;
    case "append":
      return `append ${key} += ${JSON.stringify(input.value)}`;
  }
}

function describeKvState(state: KvState): string {
  if (state.size === 0) return "every key is empty";
  return [...state]
    .map(([key, value]) => `${JSON.stringify(key)} holds ${JSON.stringify(value)}`)
    .join(", ");
}

/**
 * A map from string keys to string values with get, put and append, every key initially `""`: the
 * `kv` model of Pods' linearizability test data and porcupine's key-value model. It partitions a
 * history by key, since operations on different keys never constrain each other.
 *
 * | input | output | legal when | next state |
 * | --- | --- | --- | --- |
 * | `{op: "get", key: k}` | `{value: s}` | `s` equals the value of `k` | unchanged |
 * | `{op: "put", key: k, value: s}` | `{}` | always | `k` holds `s` |
 * | `{op: "append", key: k, value: s}` | `{}` | always | `k` holds its value followed by `s` |
 */
export const kvModel: Model<KvState, KvInput, KvOutput> = {
  name: "kv",
  initialState: emptyStore,
  step: kvStep,
  stateKey: kvStateKey,
  parseInput: parseKvInput,
  parseOutput: parseKvOutput,
  partition: partitionByKey,
  describeOperation: describeKvOperation,
  describeState: describeKvState,
};
