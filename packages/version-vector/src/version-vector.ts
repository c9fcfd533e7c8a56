import {
  assertNodeId,
  DecodeError,
  InvalidArgumentError,
  type NodeId,
} from "@pods/core-interfaces";

/**
 * How one version relates to another: `before` (the other descends from it), `after` (it
 * descends from the other), `equal` (identical vectors) or `concurrent` (neither saw the other).
 */
export type VersionOrder = "before" | "after" | "equal" | "concurrent";

/**
 * The JSON-friendly form of a {@link VersionVector}: `[node, counter]` pairs sorted by node id
 * (UTF-16 order, as `compareNodeIds`), no zero counters. Canonical: equal vectors have equal JSON.
 * An array, not an object, because JavaScript reorders integer-like object keys.
 */
export type VersionVectorJson = readonly (readonly [NodeId, number])[];

/** What {@link VersionVector.from} accepts: `[node, counter]` pairs or a `{ node: counter }` record. */
export type VersionVectorEntries =
  Iterable<readonly [NodeId, number]> | Readonly<Record<NodeId, number>>;

/** The default bound on entries accepted when decoding a vector from untrusted input. */
export const defaultDecodeEntriesMax = 1024;

function assertCounter(counter: unknown, node: NodeId): asserts counter is number {
  if (typeof counter !== "number" || !Number.isSafeInteger(counter) || counter < 0) {
    throw new InvalidArgumentError(
      `counter ${String(counter)} of node "${node}" is not valid: use a safe integer >= 0.`,
    );
  }
}

function isIterable(value: object): value is Iterable<readonly [NodeId, number]> {
  return Symbol.iterator in value;
}

/**
 * Builds a vector from entries already sorted by node id, with valid ids and counters >= 1 (for the
 * decoders and rules of this package; not exported from the package).
 */
export let vectorFromSorted: (
  nodes: readonly NodeId[],
  counters: readonly number[],
) => VersionVector;

/** A vector's sorted node ids and their counters (for the encoders; not exported from the package). */
export let vectorParts: (
  vector: VersionVector,
) => readonly [nodes: readonly NodeId[], counters: readonly number[]];

/**
 * An immutable version vector: one counter per node that updated a value; a node that is not
 * listed has counter 0. Two vectors compare entry by entry ({@link VersionVector.compare}), and
 * {@link VersionVector.merge} takes the pointwise maximum.
 *
 * Entries are kept sorted by node id, so the JSON and binary forms are canonical and two equal
 * vectors are structurally equal ({@link VersionVector.equals}). Vectors derived from one another
 * (by `increment` or `merge`) share their list of node ids, which makes comparing them a loop over
 * numbers.
 */
export class VersionVector {
  /** The vector with no entries: every counter is 0. */
  static readonly empty: VersionVector = new VersionVector([], []);

  readonly #nodes: readonly NodeId[];
  readonly #counters: readonly number[];

  private constructor(nodes: readonly NodeId[], counters: readonly number[]) {
    this.#nodes = nodes;
    this.#counters = counters;
  }

  /**
   * Builds a vector from pairs or a record, e.g. `VersionVector.from({ athens: 2, byzantium: 1 })`.
   * Zero counters are left out (missing entries are 0).
   *
   * @throws `InvalidArgumentError` for a bad node id, a counter that is not a safe integer
   *   >= 0, or a node listed twice.
   */
  static from(entries: VersionVectorEntries): VersionVector {
    const pairs = isIterable(entries) ? [...entries] : Object.entries(entries);
    const checked: [NodeId, number][] = [];
    for (const pair of pairs) {
      const [node, counter] = pair;
      assertNodeId(node);
      assertCounter(counter, node);
      if (counter > 0) checked.push([node, counter]);
    }
    checked.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    for (let index = 1; index < checked.length; index++) {
      if (checked[index - 1]?.[0] === checked[index]?.[0]) {
        throw new InvalidArgumentError(
          `node "${checked[index]?.[0]}" is listed twice; give each node one counter.`,
        );
      }
    }
    return new VersionVector(
      checked.map(([node]) => node),
      checked.map(([, counter]) => counter),
    );
  }

  /**
   * Reads the JSON form ({@link VersionVectorJson}) strictly: pairs sorted by node id, each node
   * once, counters safe integers >= 1, valid node ids, at most `entriesMax` pairs.
   *
   * @param entriesMax - the most entries accepted (bounds the work done on untrusted input).
   * @throws `DecodeError` naming the first problem.
   */
  static fromJSON(json: unknown, entriesMax = defaultDecodeEntriesMax): VersionVector {
    if (!Array.isArray(json)) throw new DecodeError("a version vector must be an array of pairs");
    if (json.length > entriesMax) {
      throw new DecodeError(
        `a version vector with ${json.length} entries exceeds entriesMax (${entriesMax})`,
      );
    }
    const nodes: NodeId[] = [];
    const counters: number[] = [];
    for (const [index, pair] of (json as unknown[]).entries()) {
      if (!Array.isArray(pair) || pair.length !== 2) {
        throw new DecodeError(`entry ${index} is not a [node, counter] pair`);
      }
      const [node, counter] = pair as [unknown, unknown];
      const problem = entryProblem(node, counter, nodes.at(-1));
      if (problem !== undefined) throw new DecodeError(`entry ${index}: ${problem}`);
      nodes.push(node as NodeId);
      counters.push(counter as number);
    }
    return new VersionVector(nodes, counters);
  }

  static {
    vectorParts = (vector) => [vector.#nodes, vector.#counters];
    vectorFromSorted = (nodes, counters) =>
      nodes.length === 0 ? VersionVector.empty : new VersionVector(nodes, counters);
  }

  /** How many nodes have a counter above 0. */
  get size(): number {
    return this.#nodes.length;
  }

  /** The counter of `node` (0 when it has no entry). */
  get(node: NodeId): number {
    const index = this.#indexOf(node);
    return index < 0 ? 0 : (this.#counters[index] ?? 0);
  }

  /**
   * A copy with `node`'s counter one higher: the vector of a new update made by `node`.
   *
   * @throws `InvalidArgumentError` for a bad node id, or when the counter would pass
   *   `Number.MAX_SAFE_INTEGER`.
   */
  increment(node: NodeId): VersionVector {
    assertNodeId(node);
    const index = this.#indexOf(node);
    if (index >= 0) {
      const counters = [...this.#counters];
      const next = (counters[index] ?? 0) + 1;
      if (!Number.isSafeInteger(next)) {
        throw new InvalidArgumentError(
          `node "${node}" cannot count past ${Number.MAX_SAFE_INTEGER}; retire this node id.`,
        );
      }
      counters[index] = next;
      return new VersionVector(this.#nodes, counters);
    }
    const at = -index - 1;
    return new VersionVector(
      [...this.#nodes.slice(0, at), node, ...this.#nodes.slice(at)],
      [...this.#counters.slice(0, at), 1, ...this.#counters.slice(at)],
    );
  }

  /**
   * The pointwise maximum of both vectors: a vector that descends from each. Commutative,
   * associative and idempotent. Returns `this` or `other` unchanged when one already descends
   * from the other.
   */
  merge(other: VersionVector): VersionVector {
    const an = this.#nodes;
    const ac = this.#counters;
    const bn = other.#nodes;
    const bc = other.#counters;
    if (an === bn) {
      let thisAhead = false;
      let otherAhead = false;
      for (let index = 0; index < ac.length; index++) {
        const a = ac[index] as number;
        const b = bc[index] as number;
        if (a > b) thisAhead = true;
        else if (b > a) otherAhead = true;
      }
      if (!otherAhead) return this;
      if (!thisAhead) return other;
      return new VersionVector(
        an,
        ac.map((a, index) => Math.max(a, bc[index] as number)),
      );
    }
    const nodes: NodeId[] = [];
    const counters: number[] = [];
    let thisAhead = false;
    let otherAhead = false;
    let sameNodes = true;
    let i = 0;
    let j = 0;
    while (i < an.length || j < bn.length) {
      const a = an[i];
      const b = bn[j];
      if (a !== undefined && (b === undefined || a < b)) {
        nodes.push(a);
        counters.push(ac[i++] as number);
        thisAhead = true;
        sameNodes = false;
      } else if (b !== undefined && (a === undefined || b < a)) {
        nodes.push(b);
        counters.push(bc[j++] as number);
        otherAhead = true;
        sameNodes = false;
      } else {
        const x = ac[i++] as number;
        const y = bc[j++] as number;
        if (x > y) thisAhead = true;
        else if (y > x) otherAhead = true;
        nodes.push(a as NodeId);
        counters.push(x > y ? x : y);
      }
    }
    if (!otherAhead) return this;
    if (!thisAhead) return other;
    // Same node ids on both sides: share this list, so later compares take the fast path.
    return new VersionVector(sameNodes ? an : nodes, counters);
  }

  /**
   * How this vector relates to `other`: `after` when every counter is at least the other's and
   * one is higher, `before` the reverse, `equal` when all are equal, otherwise `concurrent`.
   * Identical vectors are `equal` (not `before`).
   */
  compare(other: VersionVector): VersionOrder {
    const an = this.#nodes;
    const ac = this.#counters;
    const bn = other.#nodes;
    const bc = other.#counters;
    let thisAhead = false;
    let otherAhead = false;
    if (an === bn) {
      for (let index = 0; index < ac.length; index++) {
        const a = ac[index] as number;
        const b = bc[index] as number;
        if (a > b) thisAhead = true;
        else if (b > a) otherAhead = true;
      }
    } else {
      let i = 0;
      let j = 0;
      while (i < an.length && j < bn.length) {
        const a = an[i] as NodeId;
        const b = bn[j] as NodeId;
        if (a === b) {
          const x = ac[i++] as number;
          const y = bc[j++] as number;
          if (x > y) thisAhead = true;
          else if (y > x) otherAhead = true;
        } else if (a < b) {
          i++;
          thisAhead = true;
        } else {
          j++;
          otherAhead = true;
        }
        if (thisAhead && otherAhead) return "concurrent";
      }
      if (i < an.length) thisAhead = true;
      if (j < bn.length) otherAhead = true;
    }
    if (thisAhead) return otherAhead ? "concurrent" : "after";
    return otherAhead ? "before" : "equal";
  }

  /** True when this vector has seen everything `other` has: `after` or `equal`. */
  descends(other: VersionVector): boolean {
    const order = this.compare(other);
    return order === "after" || order === "equal";
  }

  /** True when this vector strictly descends from `other`: `after`. */
  dominates(other: VersionVector): boolean {
    return this.compare(other) === "after";
  }

  /** True when both vectors have the same entries (structural equality). */
  equals(other: VersionVector): boolean {
    return this.compare(other) === "equal";
  }

  /** The entries as `[node, counter]` pairs in node id order. */
  *entries(): IterableIterator<[NodeId, number]> {
    for (let index = 0; index < this.#nodes.length; index++) {
      yield [this.#nodes[index] as NodeId, this.#counters[index] as number];
    }
  }

  /** The canonical JSON form ({@link VersionVectorJson}); `JSON.stringify` uses it. */
  toJSON(): VersionVectorJson {
    return [...this.entries()];
  }

  /** A readable form for messages and logs, e.g. `{athens: 2, byzantium: 1}`. */
  toString(): string {
    return `{${[...this.entries()].map(([node, counter]) => `${node}: ${counter}`).join(", ")}}`;
  }

  /** Binary search: the index of `node`, or `-(insertion point) - 1`. */
  #indexOf(node: NodeId): number {
    const nodes = this.#nodes;
    let low = 0;
    let high = nodes.length - 1;
    while (low <= high) {
      const middle = (low + high) >>> 1;
      const candidate = nodes[middle] as NodeId;
      if (candidate === node) return middle;
      if (candidate < node) low = middle + 1;
      else high = middle - 1;
    }
    return -low - 1;
  }
}

/**
 * What is wrong with one decoded `[node, counter]` entry, if anything: it needs a valid node id
 * after `previous` in sort order and a safe integer counter >= 1.
 */
function entryProblem(
  node: unknown,
  counter: unknown,
  previous: NodeId | undefined,
): string | undefined {
  if (typeof node !== "string") return "the node is not a string";
  try {
    assertNodeId(node);
  } catch (error) {
    return (error as Error).message;
  }
  if (previous !== undefined && !(previous < node)) {
    return `node "${node}" is not after "${previous}" (sorted, unique)`;
  }
  if (typeof counter !== "number" || !Number.isSafeInteger(counter) || counter < 1) {
    return `counter ${String(counter)} is not a safe integer >= 1`;
  }
  return undefined;
}
