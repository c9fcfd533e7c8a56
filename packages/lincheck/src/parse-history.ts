import type { HistoryFile, HistoryOperation, Verdict } from "./history.ts";
import type { AnyModel, Model } from "./model.ts";
import { builtInModels, modelFor } from "./models.ts";
import { expectInteger, expectObject, expectOneOf, expectString, rejectValue } from "./validate.ts";

/** Options of {@link parseHistory}. */
export interface ParseHistoryOptions {
  /** The models a file may name; default {@link builtInModels}. */
  readonly models?: readonly AnyModel[];
}

const verdicts: readonly Verdict[] = ["linearizable", "not linearizable"];

/**
 * Checks every field of a history's operations against the history format and the model, and
 * returns them typed. Rejected: a `client` that is not a non-negative integer, a `call` that is
 * not an integer, a `return` that is neither `null` nor an integer greater than `call`, an open
 * operation (`return: null`) whose `output` is not `null`, a returned operation whose `output`
 * is `null`, and inputs or outputs the model rejects. Tolerated: unknown extra fields, equal
 * times (intervals are closed: an operation returning at `t` and one called at `t` are
 * concurrent), and a client with overlapping operations (the client id has no effect on the
 * verdict).
 *
 * @throws InvalidArgumentError naming the operation's index and field.
 */
export function parseOperations<State, Input, Output>(
  model: Model<State, Input, Output>,
  operations: unknown,
): HistoryOperation<Input, Output>[] {
  if (!Array.isArray(operations)) rejectValue("operations", "an array", operations);
  return (operations as readonly unknown[]).map((operation, index) =>
    parseOperation(model, operation, `operation ${index}`),
  );
}

function parseOperation<State, Input, Output>(
  model: Model<State, Input, Output>,
  operation: unknown,
  where: string,
): HistoryOperation<Input, Output> {
  const fields = expectObject(operation, where);
  const client = expectInteger(fields.client, `${where}: client`);
  if (client < 0) rejectValue(`${where}: client`, "a non-negative integer", client);
  const call = expectInteger(fields.call, `${where}: call`);
  const returned = fields.return;
  if (returned !== null && (typeof returned !== "number" || !Number.isSafeInteger(returned))) {
    rejectValue(`${where}: return`, "null (never returned) or an integer", returned);
  }
  if (returned !== null && returned <= call) {
    rejectValue(`${where}: return`, `greater than call (${call})`, returned);
  }
  const input = model.parseInput(fields.input, `${where}: input`);
  if (returned === null) {
    if (fields.output !== null) {
      rejectValue(`${where}: output`, "null, as the operation never returned", fields.output);
    }
    return { client, call, return: null, input, output: null };
  }
  const output = model.parseOutput(fields.output, input, `${where}: output`);
  return { client, call, return: returned, input, output };
}

/**
 * Reads a history file (already parsed from JSON), checking every field: the top-level `model`
 * (a known model's name), `operations` (see {@link parseOperations}), and the optional `expected`
 * and `source`. Unknown top-level fields are ignored.
 *
 * @throws InvalidArgumentError naming the field (and the operation's index) that is wrong.
 */
export function parseHistory(json: unknown, options: ParseHistoryOptions = {}): HistoryFile {
  const fields = expectObject(json, "the history");
  const model = modelFor(expectString(fields.model, "model"), options.models ?? builtInModels);
  const operations = parseOperations(model, fields.operations);
  const expected =
    fields.expected === undefined ? undefined : expectOneOf(fields.expected, verdicts, "expected");
  const source = fields.source === undefined ? undefined : expectString(fields.source, "source");
  return {
    model: model.name,
    operations,
    ...(expected === undefined ? {} : { expected }),
    ...(source === undefined ? {} : { source }),
  };
}
