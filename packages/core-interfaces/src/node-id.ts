import { InvalidArgumentError } from "./errors.ts";

/**
 * The name of a node in a cluster, e.g. `"athens"`. Node ids are compared by
 * {@link compareNodeIds} wherever a tie needs breaking (ballots, timestamps), so the order of ids is
 * part of a cluster's configuration.
 */
export type NodeId = string;

/** The longest node id accepted, in UTF-16 code units. */
export const nodeIdLengthMax = 128;

const nodeIdPattern = /^[A-Za-z0-9][A-Za-z0-9._:-]*$/;

/**
 * Checks that `value` is a usable node id: 1 to {@link nodeIdLengthMax} characters of letters,
 * digits, `.`, `_`, `:` and `-`, starting with a letter or digit.
 *
 * @throws {@link InvalidArgumentError} naming the value and the rule.
 */
export function assertNodeId(value: unknown, what = "node id"): asserts value is NodeId {
  if (typeof value !== "string" || value.length > nodeIdLengthMax || !nodeIdPattern.test(value)) {
    throw new InvalidArgumentError(
      `${what} ${JSON.stringify(value)} is not valid: use 1 to ${nodeIdLengthMax} letters, digits, ` +
        "'.', '_', ':' or '-', starting with a letter or digit.",
    );
  }
}

/**
 * Orders node ids by UTF-16 code units (not locale): negative if `a` sorts first, 0 if equal.
 * The empty string sorts before every id and stands for "no node".
 */
export function compareNodeIds(a: NodeId, b: NodeId): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
