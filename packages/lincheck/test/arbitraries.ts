// fast-check generators of small concurrent histories for the register and kv models: random ones
// (mostly not linearizable) and ones built from a sequential run (linearizable unless corrupted).
import fc from "fast-check";
import {
  kvModel,
  registerModel,
  type HistoryOperation,
  type KvInput,
  type KvOutput,
  type KvState,
  type Model,
  type RegisterInput,
  type RegisterOutput,
  type RegisterState,
} from "@pods/lincheck";
import { illegal } from "@pods/lincheck";

/** What a test needs to know about a model beyond the model itself. */
export interface ModelFixture<State, Input, Output> {
  readonly model: Model<State, Input, Output>;
  /** Any request. */
  readonly input: fc.Arbitrary<Input>;
  /** Any well-formed answer to `input`, right or wrong. */
  readonly anyOutput: (input: Input) => fc.Arbitrary<Output>;
  /** The answer the model gives to `input` in `state`. */
  readonly answer: (state: State, input: Input) => Output;
}

const registerValue = fc.constantFrom(0, 1, 2);

export const registerFixture: ModelFixture<RegisterState, RegisterInput, RegisterOutput> = {
  model: registerModel,
  input: fc.oneof(
    fc.constant({ op: "read" } as const),
    fc.record({ op: fc.constant("write" as const), value: registerValue }),
    fc.record({ op: fc.constant("cas" as const), from: registerValue, to: registerValue }),
  ),
  anyOutput: (input) => {
    switch (input.op) {
      case "read":
        return fc.record({ value: fc.constantFrom(null, 0, 1, 2) });
      case "write":
        return fc.constant({});
      case "cas":
        return fc.record({ ok: fc.boolean() });
    }
  },
  answer: (state, input) => {
    switch (input.op) {
      case "read":
        return { value: state };
      case "write":
        return {};
      case "cas":
        return { ok: state === input.from };
    }
  },
};

const kvKey = fc.constantFrom("a", "b");
const kvValue = fc.constantFrom("x", "y");

export const kvFixture: ModelFixture<KvState, KvInput, KvOutput> = {
  model: kvModel,
  input: fc.oneof(
    fc.record({ op: fc.constant("get" as const), key: kvKey }),
    fc.record({
      op: fc.constantFrom("put" as const, "append" as const),
      key: kvKey,
      value: kvValue,
    }),
  ),
  anyOutput: (input) =>
    input.op === "get"
      ? fc.record({ value: fc.constantFrom("", "x", "y", "xy", "yx", "xx") })
      : fc.constant({}),
  answer: (state, input) => (input.op === "get" ? { value: state.get(input.key) ?? "" } : {}),
};

const openChance = fc.integer({ min: 0, max: 4 }).map((draw) => draw === 0);

/** Histories of up to `lengthMax` operations with random times (ties included) and answers. */
export function randomHistory<State, Input, Output>(
  fixture: ModelFixture<State, Input, Output>,
  lengthMax: number,
): fc.Arbitrary<HistoryOperation<Input, Output>[]> {
  const operation = fixture.input.chain((input) =>
    fc.record({
      input: fc.constant(input),
      output: fixture.anyOutput(input),
      call: fc.integer({ min: 0, max: 12 }),
      duration: fc.integer({ min: 1, max: 8 }),
      open: openChance,
    }),
  );
  return fc.array(operation, { maxLength: lengthMax }).map((drawn) =>
    drawn.map(({ input, output, call, duration, open }, client) => ({
      client,
      call,
      return: open ? null : call + duration,
      input,
      output: open ? null : output,
    })),
  );
}

/**
 * Linearizable histories of up to `lengthMax` operations: a sequential run on the model, each
 * operation's interval stretched around its point in the run (so intervals overlap up to
 * `spreadMax` points away). With `withOpen`, some operations never return; of those, some never
 * took effect.
 */
export function linearizableHistory<State, Input, Output>(
  fixture: ModelFixture<State, Input, Output>,
  lengthMax: number,
  spreadMax: number,
  withOpen = true,
): fc.Arbitrary<HistoryOperation<Input, Output>[]> {
  const step = fc.record({
    input: fixture.input,
    before: fc.integer({ min: 0, max: spreadMax * 10 }),
    after: fc.integer({ min: 0, max: spreadMax * 10 }),
    open: withOpen ? openChance : fc.constant(false),
    applied: fc.boolean(),
  });
  return fc.array(step, { maxLength: lengthMax }).map((steps) => {
    let state = fixture.model.initialState;
    return steps.map(({ input, before, after, open, applied }, position) => {
      const point = position * 10 + 5;
      const call = point - 1 - before;
      if (open) {
        if (applied) state = apply(fixture.model, state, input, undefined);
        return { client: position, call, return: null, input, output: null };
      }
      const output = fixture.answer(state, input);
      state = apply(fixture.model, state, input, output);
      return { client: position, call, return: point + 1 + after, input, output };
    });
  });
}

function apply<State, Input, Output>(
  model: Model<State, Input, Output>,
  state: State,
  input: Input,
  output: Output | undefined,
): State {
  const next = model.step(state, input, output);
  if (next === illegal) throw new Error("the model rejected its own answer");
  return next;
}

/** A linearizable history, or one with one operation's answer replaced by a random one. */
export function mixedHistory<State, Input, Output>(
  fixture: ModelFixture<State, Input, Output>,
  lengthMax: number,
): fc.Arbitrary<HistoryOperation<Input, Output>[]> {
  const corrupted = linearizableHistory(fixture, lengthMax, 2)
    .filter((history) => history.some((operation) => operation.return !== null))
    .chain((history) => {
      const closed = history.flatMap((operation, index) =>
        operation.return === null ? [] : [index],
      );
      return fc
        .constantFrom(...closed)
        .chain((index) =>
          fixture
            .anyOutput(history[index]!.input)
            .map((output) =>
              history.map((operation, position) =>
                position === index ? { ...operation, output } : operation,
              ),
            ),
        );
    });
  return fc.oneof(
    randomHistory(fixture, lengthMax),
    linearizableHistory(fixture, lengthMax, 2),
    corrupted,
  );
}
