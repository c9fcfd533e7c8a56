import { InvalidArgumentError, type NodeId } from "@pods/core-interfaces";
import { CausalContext, contextUnchecked } from "./causal-context.ts";
import { compareDots, formatDot, type Dot } from "./dot.ts";
import { ObsoleteVersionError, TooManySiblingsError } from "./errors.ts";
import { pruneVersionVector } from "./prune.ts";
import { VersionVector } from "./version-vector.ts";

/**
 * How a store tells versions apart.
 *
 * - `dotted` (default): dotted version vectors. Each version is named by its dot and remembers
 *   exactly what its writer had seen; a write removes exactly the versions its context covers, so
 *   concurrent writes through the same replica become siblings, and the number of siblings stays
 *   bounded by the number of truly concurrent writers.
 * - `vector`: plain version vectors (Dynamo, Voldemort). A write that would supersede a version
 *   its context has not seen — a concurrent write through the same replica — is refused with
 *   `ObsoleteVersionError`.
 */
export type SiblingMode = "dotted" | "vector";

/** One stored version of a key: a value, the write that made it, and what that write had seen. */
export interface Sibling<V> {
  /** The value written. */
  readonly value: V;
  /** The write that made this version. */
  readonly dot: Dot;
  /** What the writer had seen when it wrote (never covers `dot`). */
  readonly context: CausalContext;
  /** This version's version vector: `context.vector` with `dot` added. */
  readonly vector: VersionVector;
  /** The coordinating replica's wall clock when it accepted the write, in ms since the epoch. */
  readonly wallMs: number;
}

/** What {@link putSibling} needs to know about one write. */
export interface SiblingWrite<V> {
  /** The value to store. */
  readonly value: V;
  /** What the writer has seen: the context of its last read (or of its own last write). */
  readonly context: CausalContext;
  /** The coordinating replica, whose counter names the write. */
  readonly replica: NodeId;
  /** The coordinating replica's wall clock, in ms since the epoch. */
  readonly wallMs: number;
}

/** The limits and mode {@link putSibling} applies. */
export interface SiblingRules {
  /** How versions are told apart. */
  readonly mode: SiblingMode;
  /** The most siblings a key may hold after a put. */
  readonly siblingsMax: number;
  /** The most vector entries a new version's context keeps (see `pruneVersionVector`). */
  readonly contextEntriesMax: number;
}

/** The result of {@link putSibling}. */
export interface PutOutcome<V> {
  /** The key's siblings after the write, in dot order. */
  readonly siblings: readonly Sibling<V>[];
  /** The version written. */
  readonly written: Sibling<V>;
  /** The versions the write superseded (its context covered them). */
  readonly discarded: readonly Sibling<V>[];
}

/**
 * Builds a sibling (its vector is the context's vector with the dot added).
 *
 * @throws `InvalidArgumentError` when the context already covers the dot.
 */
export function createSibling<V>(
  value: V,
  dot: Dot,
  context: CausalContext,
  wallMs: number,
): Sibling<V> {
  if (context.covers(dot)) {
    throw new InvalidArgumentError(
      `a version's context ${context.toString()} cannot cover its own dot ${formatDot(dot)}.`,
    );
  }
  const vector = context.vector.merge(VersionVector.from([[dot.node, dot.counter]]));
  return { value, dot, context, vector, wallMs };
}

/** Everything the version has seen, itself included: its context plus its dot. */
export function historyOf(sibling: Sibling<unknown>): CausalContext {
  return contextUnchecked(sibling.vector, sibling.context.exceptions);
}

/**
 * The context a reader of these siblings writes with: the union of their histories (in `vector`
 * mode, the merge of their vectors). A write with it supersedes all of them.
 */
export function readContext(siblings: readonly Sibling<unknown>[]): CausalContext {
  let context = CausalContext.empty;
  for (const sibling of siblings) context = context.merge(historyOf(sibling));
  return context;
}

function highestCounter(
  siblings: readonly Sibling<unknown>[],
  context: CausalContext,
  node: NodeId,
) {
  let highest = context.vector.get(node);
  for (const sibling of siblings) highest = Math.max(highest, sibling.vector.get(node));
  return highest;
}

/**
 * Applies a put to a key's siblings (the coordinating replica's step) and returns the new
 * siblings; pure.
 *
 * The new version gets the dot `(replica, n)` where `n` is one above every counter of `replica`
 * known here or in the context. Siblings the context covers are discarded; the others are kept
 * as concurrent. In `dotted` mode the new version's context is the writer's context plus every
 * older write of this replica except the concurrent siblings still stored (those are the only
 * ones it may not claim to have seen). In `vector` mode the write is refused when its vector would
 * descend a kept sibling.
 *
 * @throws {@link ObsoleteVersionError} in `vector` mode, as above; nothing changes.
 * @throws {@link TooManySiblingsError} when more than `siblingsMax` siblings would remain.
 * @throws `InvalidArgumentError` for a context with exceptions in `vector` mode.
 */
export function putSibling<V>(
  siblings: readonly Sibling<V>[],
  write: SiblingWrite<V>,
  rules: SiblingRules,
): PutOutcome<V> {
  const { context, replica } = write;
  const counter = highestCounter(siblings, context, replica) + 1;
  if (!Number.isSafeInteger(counter)) {
    throw new InvalidArgumentError(`replica "${replica}" cannot count past safe integers.`);
  }
  const dot: Dot = { node: replica, counter };
  const kept: Sibling<V>[] = [];
  const discarded: Sibling<V>[] = [];
  let newContext: CausalContext;
  if (rules.mode === "vector") {
    if (context.exceptions.length > 0) {
      throw new InvalidArgumentError(
        "a context with exceptions comes from a dotted store; vector mode takes plain vectors.",
      );
    }
    for (const sibling of siblings) {
      (context.vector.descends(sibling.vector) ? discarded : kept).push(sibling);
    }
    const attempted = context.vector.merge(VersionVector.from([[replica, counter]]));
    const superseded = kept.find((sibling) => attempted.descends(sibling.vector));
    if (superseded !== undefined) throw new ObsoleteVersionError(superseded.vector, attempted);
    newContext = context;
  } else {
    for (const sibling of siblings) (context.covers(sibling.dot) ? discarded : kept).push(sibling);
    const concurrentHere = kept
      .filter((sibling) => sibling.dot.node === replica)
      .map((sibling) => sibling.dot);
    const vector = context.vector.merge(VersionVector.from([[replica, counter - 1]]));
    const exceptions = [
      ...context.exceptions.filter((exception) => exception.node !== replica),
      ...concurrentHere,
    ].sort(compareDots);
    newContext = contextUnchecked(vector, exceptions);
  }
  if (kept.length + 1 > rules.siblingsMax) throw new TooManySiblingsError(rules.siblingsMax);
  const pruned = pruneContext(newContext, replica, kept, write.wallMs, rules.contextEntriesMax);
  const written = createSibling(write.value, dot, pruned, write.wallMs);
  return { siblings: insertSorted(kept, written), written, discarded };
}

/** Prunes a new version's context, oldest writers first; the writing replica is never pruned. */
function pruneContext(
  context: CausalContext,
  replica: NodeId,
  live: readonly Sibling<unknown>[],
  nowMs: number,
  entriesMax: number,
): CausalContext {
  if (context.vector.size <= entriesMax) return context;
  const lastWriteMs = new Map<NodeId, number>([[replica, nowMs]]);
  for (const sibling of live) {
    const known = lastWriteMs.get(sibling.dot.node) ?? -Infinity;
    lastWriteMs.set(sibling.dot.node, Math.max(known, sibling.wallMs));
  }
  const vector = pruneVersionVector(context.vector, {
    entriesMax,
    keep: [replica],
    lastWriteMs: (node) => lastWriteMs.get(node),
  });
  return contextUnchecked(
    vector,
    context.exceptions.filter((dot) => vector.get(dot.node) > 0),
  );
}

function insertSorted<V>(siblings: Sibling<V>[], sibling: Sibling<V>): Sibling<V>[] {
  const at = siblings.findIndex((candidate) => compareDots(sibling.dot, candidate.dot) < 0);
  siblings.splice(at < 0 ? siblings.length : at, 0, sibling);
  return siblings;
}

/**
 * Merges two replicas' siblings of one key (anti-entropy, read repair, quorum reads); pure.
 * Keeps every version that either side holds unless the other side has seen it and no longer
 * holds it (in `vector` mode: unless a version on the other side descends from it). Siblings with
 * the same dot are the same write; `a`'s copy is kept. Commutative, associative and idempotent
 * for histories made by {@link putSibling} without pruning.
 */
export function mergeSiblings<V>(
  a: readonly Sibling<V>[],
  b: readonly Sibling<V>[],
  mode: SiblingMode,
): readonly Sibling<V>[] {
  if (a === b || b.length === 0) return a;
  if (a.length === 0) return b;
  const coveredBy = (others: readonly Sibling<V>[]): ((sibling: Sibling<V>) => boolean) => {
    if (mode === "vector") {
      return (sibling) => others.some((other) => other.vector.descends(sibling.vector));
    }
    const context = readContext(others);
    return (sibling) => context.covers(sibling.dot);
  };
  const coveredByA = coveredBy(a);
  const coveredByB = coveredBy(b);
  const merged: Sibling<V>[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const x = a[i];
    const y = b[j];
    const order = x === undefined ? 1 : y === undefined ? -1 : compareDots(x.dot, y.dot);
    if (order === 0) {
      merged.push(x as Sibling<V>);
      i++;
      j++;
    } else if (order < 0) {
      if (!coveredByB(x as Sibling<V>)) merged.push(x as Sibling<V>);
      i++;
    } else {
      if (!coveredByA(y as Sibling<V>)) merged.push(y as Sibling<V>);
      j++;
    }
  }
  return merged.length === a.length && merged.every((sibling, index) => sibling === a[index])
    ? a
    : merged;
}
