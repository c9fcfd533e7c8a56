import { illegal, type Illegal, type Model } from "./model.ts";
import {
  expectBoolean,
  expectInteger,
  expectObject,
  expectOneOf,
  rejectValue,
} from "./validate.ts";

/** The register's state: an integer, or `null` while it has never been written. */
export type RegisterState = number | null;

/** A request to the register. */
export type RegisterInput =
  | { readonly op: "read" }
  | { readonly op: "write"; readonly value: number }
  | { readonly op: "cas"; readonly from: number; readonly to: number };

/** The register's answer: `{value}` for `read`, `{}` for `write`, `{ok}` for `cas`. */
export interface RegisterOutput {
  /** The value a `read` returned, `null` when the register was empty; absent otherwise. */
  readonly value?: number | null;
  /** Whether a `cas` found the expected value (and so wrote); absent otherwise. */
  readonly ok?: boolean;
}

function registerStep(
  state: RegisterState,
  input: RegisterInput,
  output: RegisterOutput | undefined,
): RegisterState | Illegal {
  switch (input.op) {
    case "read":
      if (output === undefined) return state;
      return output.value === state ? state : illegal;
    case "write":
      return input.value;
    case "cas": {
      const holds = state === input.from;
      if (output === undefined) return holds ? input.to : state;
      if (output.ok !== holds) return illegal;
      return holds ? input.to : state;
    }
  }
}

function parseRegisterInput(input: unknown, where: string): RegisterInput {
  const fields = expectObject(input, where);
  const op = expectOneOf(fields.op, ["read", "write", "cas"], `${where}.op`);
  switch (op) {
    case "read":
      return { op };
    case "write":
      return { op, value: expectInteger(fields.value, `${where}.value of a write`) };
    case "cas":
      return {
        op,
        from: expectInteger(fields.from, `${where}.from of a cas`),
        to: expectInteger(fields.to, `${where}.to of a cas`),
      };
  }
}

function parseRegisterOutput(output: unknown, input: RegisterInput, where: string): RegisterOutput {
  const fields = expectObject(output, where);
  switch (input.op) {
    case "read": {
      const value = fields.value;
      if (value !== null && (typeof value !== "number" || !Number.isSafeInteger(value))) {
        rejectValue(`${where}.value of a read`, "an integer or null", value);
      }
      return { value };
    }
    case "write":
      return {};
    case "cas":
      return { ok: expectBoolean(fields.ok, `${where}.ok of a cas`) };
  }
}

function describeRegisterOperation(
  input: RegisterInput,
  output: RegisterOutput | undefined,
): string {
  switch (input.op) {
    case "read":
      return output === undefined ? "read" : `read → ${String(output.value)}`;
    case "write":
      return `write ${input.value}`;
    case "cas": {
      const request = `cas ${input.from}→${input.to}`;
      if (output === undefined) return request;
      return `${request} → ${output.ok ? "ok" : "failed"}`;
    }
  }
}

/**
 * A single integer register with read, write and compare-and-set, initially empty (`null`): the
 * `register` model of Pods' linearizability test data and porcupine's etcd model.
 *
 * | input | output | legal when | next state |
 * | --- | --- | --- | --- |
 * | `{op: "read"}` | `{value: v}` | `v` equals the state | unchanged |
 * | `{op: "write", value: v}` | `{}` | always | `v` |
 * | `{op: "cas", from: a, to: b}` | `{ok: true}` | the state equals `a` | `b` |
 * | `{op: "cas", from: a, to: b}` | `{ok: false}` | the state differs from `a` | unchanged |
 */
export const registerModel: Model<RegisterState, RegisterInput, RegisterOutput> = {
  name: "register",
  initialState: null,
  step: registerStep,
  stateKey: (state) => (state === null ? "null" : state),
  parseInput: parseRegisterInput,
  parseOutput: parseRegisterOutput,
  describeOperation: describeRegisterOperation,
  describeState: (state) =>
    state === null ? "the register is empty (null)" : `the register holds ${state}`,
};
