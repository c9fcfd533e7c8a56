import { InvalidArgumentError, type NodeId } from "@pods/core-interfaces";
import { VersionVector } from "./version-vector.ts";

/** Options of {@link pruneVersionVector}. */
export interface PruneOptions {
  /** The most entries to keep: an integer >= 1. */
  readonly entriesMax: number;
  /** Nodes whose entries are never removed (a replica always keeps its own). */
  readonly keep?: Iterable<NodeId>;
  /**
   * When `node` last wrote, in wall-clock milliseconds, or `undefined` when unknown. Entries are
   * removed oldest first; unknown ages count as oldest. Default: all unknown, so entries with the
   * smallest counters go first.
   */
  readonly lastWriteMs?: (node: NodeId) => number | undefined;
}

/**
 * Removes entries, oldest first, until at most `entriesMax` remain (Dynamo's policy). Ties break
 * by smaller counter, then node id, so every replica prunes the same vector the same way.
 *
 * The risk, and why it is bounded: a pruned vector only ever forgets updates, so it compares
 * `before` or `concurrent` where the full vector compared `after` — never the reverse. Pruning
 * therefore never makes one version falsely supersede another (no lost write), but it can make a
 * version that was superseded look concurrent again (a sibling that comes back) when a replica
 * still holds an old version written by a pruned node. Keep `entriesMax` above the number of
 * nodes that write a key within the time anti-entropy takes to spread a write.
 *
 * @throws `InvalidArgumentError` unless `entriesMax` is an integer >= 1.
 */
export function pruneVersionVector(vector: VersionVector, options: PruneOptions): VersionVector {
  const { entriesMax } = options;
  if (!Number.isSafeInteger(entriesMax) || entriesMax < 1) {
    throw new InvalidArgumentError(`entriesMax must be an integer >= 1, got ${entriesMax}.`);
  }
  if (vector.size <= entriesMax) return vector;
  const keep = new Set(options.keep ?? []);
  const ageOf = options.lastWriteMs ?? (() => undefined);
  const candidates = [...vector.entries()]
    .filter(([node]) => !keep.has(node))
    .map(([node, counter]) => ({ node, counter, age: ageOf(node) ?? -Infinity }))
    .sort((a, b) => a.age - b.age || a.counter - b.counter || (a.node < b.node ? -1 : 1));
  const removed = new Set(candidates.slice(0, vector.size - entriesMax).map(({ node }) => node));
  return VersionVector.from([...vector.entries()].filter(([node]) => !removed.has(node)));
}
