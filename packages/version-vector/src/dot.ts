import { assertNodeId, InvalidArgumentError, type NodeId } from "@pods/core-interfaces";

/**
 * One update event: the `counter`-th update of a key coordinated by `node`. Every stored version
 * is named by its dot, and a dot names exactly one write.
 */
export interface Dot {
  /** The node (replica) that coordinated the write. */
  readonly node: NodeId;
  /** Its per-key counter at that node, from 1. */
  readonly counter: number;
}

/** Orders dots by node id, then counter: negative if `a` sorts first, 0 if they are equal. */
export function compareDots(a: Dot, b: Dot): number {
  if (a.node !== b.node) return a.node < b.node ? -1 : 1;
  return a.counter - b.counter;
}

/** A dot as text, e.g. `athens:3`. */
export function formatDot(dot: Dot): string {
  return `${dot.node}:${dot.counter}`;
}

/**
 * Checks that `dot` is a valid dot: a node id and a safe integer counter >= 1.
 *
 * @throws `InvalidArgumentError` naming the problem.
 */
export function assertDot(dot: Dot, what = "dot"): void {
  assertNodeId(dot.node, `${what} node`);
  if (!Number.isSafeInteger(dot.counter) || dot.counter < 1) {
    throw new InvalidArgumentError(
      `${what} counter ${String(dot.counter)} is not valid: use a safe integer >= 1.`,
    );
  }
}
