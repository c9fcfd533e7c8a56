import { InvalidArgumentError } from "@pods/core-interfaces";
import { compareDots } from "./dot.ts";
import type { CausalContext } from "./causal-context.ts";
import type { Sibling } from "./siblings.ts";

/**
 * Turns a key's concurrent siblings (two or more, in dot order) into one value. Write the result
 * back with the read's context, and it supersedes every sibling it was made from.
 */
export type SiblingResolver<V> = (siblings: readonly Sibling<V>[]) => V;

/** What a read returns: the key's siblings and the context to write with next. */
export interface ReadResult<V> {
  /** The concurrent versions, in dot order; empty when the key has none. */
  readonly siblings: readonly Sibling<V>[];
  /** Everything the siblings have seen; a write with it supersedes all of them. */
  readonly context: CausalContext;
}

/** One value standing for a read's siblings, and the context to write it back with. */
export interface Resolved<V> {
  /** The resolved value. */
  readonly value: V;
  /** The read's context. */
  readonly context: CausalContext;
  /** How many siblings the value replaces (1 when there was nothing to resolve). */
  readonly siblingCount: number;
}

/**
 * Resolves a read into one value: the only sibling's value, or `resolver`'s answer for two or
 * more. Returns `undefined` when the key has no value.
 */
export function resolveSiblings<V>(
  read: ReadResult<V>,
  resolver: SiblingResolver<V>,
): Resolved<V> | undefined {
  const [first, ...rest] = read.siblings;
  if (first === undefined) return undefined;
  const value = rest.length === 0 ? first.value : resolver(read.siblings);
  return { value, context: read.context, siblingCount: read.siblings.length };
}

/**
 * A resolver from an application merge function (a shopping cart's union, a counter's sum),
 * folded over the siblings in dot order. Nothing is lost if `merge` keeps what both sides hold;
 * make it commutative and associative so every replica resolves alike.
 */
export function mergeValues<V>(merge: (a: V, b: V) => V): SiblingResolver<V> {
  return (siblings) => {
    const [first, ...rest] = siblings;
    if (first === undefined)
      throw new InvalidArgumentError("mergeValues needs at least one sibling.");
    return rest.reduce((value, sibling) => merge(value, sibling.value), first.value);
  };
}

/** Options of {@link lastWriterWins}. */
export interface LastWriterWinsOptions<V> {
  /**
   * The timestamp a sibling is judged by, in ms. Default: `sibling.wallMs`, the coordinating
   * replica's wall clock when it accepted the write. Ties go to the larger dot.
   */
  readonly timestampOf?: (sibling: Sibling<V>) => number;
  /** Called with the siblings thrown away and the one kept: the data this resolver loses. */
  readonly onDiscard?: (discarded: readonly Sibling<V>[], kept: Sibling<V>) => void;
}

/**
 * A resolver that keeps the sibling with the latest timestamp and drops the rest. It loses data:
 * concurrent writes other than the latest are discarded, and with clock skew the "latest" may be
 * the older write. Report what is lost through `onDiscard`; prefer {@link mergeValues} when the
 * values can be merged.
 */
export function lastWriterWins<V>(options: LastWriterWinsOptions<V> = {}): SiblingResolver<V> {
  const timestampOf = options.timestampOf ?? ((sibling: Sibling<V>) => sibling.wallMs);
  return (siblings) => {
    let kept = siblings[0];
    if (kept === undefined)
      throw new InvalidArgumentError("lastWriterWins needs at least one sibling.");
    for (const sibling of siblings) {
      const order = timestampOf(sibling) - timestampOf(kept);
      if (order > 0 || (order === 0 && compareDots(sibling.dot, kept.dot) > 0)) kept = sibling;
    }
    const winner = kept;
    options.onDiscard?.(
      siblings.filter((sibling) => sibling !== winner),
      winner,
    );
    return winner.value;
  };
}
