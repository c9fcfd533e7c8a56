import { DecodeError, InvalidArgumentError } from "@pods/core-interfaces";
import { assertDot, compareDots, formatDot, type Dot } from "./dot.ts";
import { VersionVector, type VersionVectorJson } from "./version-vector.ts";

/** The JSON-friendly form of a {@link CausalContext}: its vector and its exceptions as pairs. */
export interface CausalContextJson {
  /** The vector, as {@link VersionVectorJson}. */
  readonly vector: VersionVectorJson;
  /** The exceptions as `[node, counter]` pairs, sorted by node then counter. */
  readonly exceptions: readonly (readonly [string, number])[];
}

/**
 * Builds a context from a vector and exceptions already sorted, unique and in range (for the rules
 * and decoders of this package; not exported from the package).
 */
export let contextUnchecked: (vector: VersionVector, exceptions: readonly Dot[]) => CausalContext;

/**
 * What a writer had seen of a key: every update covered by `vector` except the listed
 * `exceptions`. A plain version vector cannot say "saw athens:2 but not athens:1"; the exceptions
 * can, which is what lets a write through one replica keep the concurrent writes made through the
 * same replica instead of claiming to have seen them.
 *
 * Immutable. Exceptions are sorted, unique, and each lies at or below the vector's counter for its
 * node. They stay few: a replica lists only writes it still stores as concurrent siblings.
 */
export class CausalContext {
  /** The context that has seen nothing. */
  static readonly empty: CausalContext = new CausalContext(VersionVector.empty, []);

  /** Every update at or below these counters was seen, except the {@link CausalContext.exceptions}. */
  readonly vector: VersionVector;
  /** Updates at or below `vector` that were not seen, sorted by node then counter. */
  readonly exceptions: readonly Dot[];

  private constructor(vector: VersionVector, exceptions: readonly Dot[]) {
    this.vector = vector;
    this.exceptions = exceptions;
  }

  /**
   * A context of `vector` minus `exceptions` (in any order; duplicates are merged).
   *
   * @throws `InvalidArgumentError` for a bad dot, or an exception above the vector's counter
   *   for its node.
   */
  static of(vector: VersionVector, exceptions: Iterable<Dot> = []): CausalContext {
    const sorted = [...exceptions].sort(compareDots);
    const unique: Dot[] = [];
    for (const dot of sorted) {
      assertDot(dot, "exception");
      if (dot.counter > vector.get(dot.node)) {
        throw new InvalidArgumentError(
          `exception ${formatDot(dot)} is above the vector ${vector.toString()}: list only ` +
            "updates the vector would otherwise cover.",
        );
      }
      const last = unique.at(-1);
      if (last === undefined || compareDots(last, dot) !== 0) {
        unique.push({ node: dot.node, counter: dot.counter });
      }
    }
    return new CausalContext(vector, unique);
  }

  /**
   * Reads the JSON form strictly (sorted, unique, in range).
   *
   * @throws `DecodeError` naming the first problem.
   */
  static fromJSON(json: unknown, entriesMax?: number): CausalContext {
    if (typeof json !== "object" || json === null) {
      throw new DecodeError("a causal context must be an object { vector, exceptions }");
    }
    const { vector: vectorJson, exceptions: exceptionsJson } = json as Record<string, unknown>;
    const vector = VersionVector.fromJSON(vectorJson, entriesMax);
    if (!Array.isArray(exceptionsJson)) throw new DecodeError("exceptions must be an array");
    if (entriesMax !== undefined && exceptionsJson.length > entriesMax) {
      throw new DecodeError(
        `${exceptionsJson.length} exceptions exceed entriesMax (${entriesMax})`,
      );
    }
    const exceptions: Dot[] = [];
    for (const [index, pair] of (exceptionsJson as unknown[]).entries()) {
      if (!Array.isArray(pair) || pair.length !== 2) {
        throw new DecodeError(`exception ${index} is not a [node, counter] pair`);
      }
      const [node, counter] = pair as [unknown, unknown];
      if (typeof node !== "string" || typeof counter !== "number") {
        throw new DecodeError(`exception ${index} is not a [node, counter] pair`);
      }
      exceptions.push({ node, counter });
    }
    const problem = exceptionsProblem(vector, exceptions);
    if (problem !== undefined) throw new DecodeError(problem);
    return new CausalContext(vector, exceptions);
  }

  /** True when the update `dot` is part of what this context has seen. */
  covers(dot: Dot): boolean {
    if (this.vector.get(dot.node) < dot.counter) return false;
    return this.exceptions.length === 0 || !this.#isException(dot);
  }

  /** Everything either context has seen. Commutative, associative and idempotent. */
  merge(other: CausalContext): CausalContext {
    if (other === this || other.#isEmpty()) return this;
    if (this.#isEmpty()) return other;
    const vector = this.vector.merge(other.vector);
    if (this.exceptions.length === 0 && other.exceptions.length === 0) {
      return vector === this.vector
        ? this
        : vector === other.vector
          ? other
          : new CausalContext(vector, []);
    }
    const exceptions = [
      ...this.exceptions.filter((dot) => !other.covers(dot)),
      ...other.exceptions.filter((dot) => !this.covers(dot) && !this.#isException(dot)),
    ].sort(compareDots);
    return new CausalContext(vector, exceptions);
  }

  /** True when both contexts have seen exactly the same updates. */
  equals(other: CausalContext): boolean {
    return (
      this.vector.equals(other.vector) &&
      this.exceptions.length === other.exceptions.length &&
      this.exceptions.every((dot, index) => compareDots(dot, other.exceptions[index] as Dot) === 0)
    );
  }

  /** The canonical JSON form ({@link CausalContextJson}). */
  toJSON(): CausalContextJson {
    return {
      vector: this.vector.toJSON(),
      exceptions: this.exceptions.map((dot) => [dot.node, dot.counter] as const),
    };
  }

  /** A readable form, e.g. `{athens: 3, byzantium: 1} except athens:2`. */
  toString(): string {
    const vector = this.vector.toString();
    if (this.exceptions.length === 0) return vector;
    return `${vector} except ${this.exceptions.map(formatDot).join(", ")}`;
  }

  #isEmpty(): boolean {
    return this.vector.size === 0;
  }

  #isException(dot: Dot): boolean {
    return this.exceptions.some((candidate) => compareDots(candidate, dot) === 0);
  }

  static {
    contextUnchecked = (vector, exceptions) =>
      vector.size === 0 ? CausalContext.empty : new CausalContext(vector, exceptions);
  }
}

/**
 * What is wrong with decoded exceptions of `vector`, if anything: they must be valid dots, sorted,
 * unique, and at or below the vector.
 */
export function exceptionsProblem(
  vector: VersionVector,
  exceptions: readonly Dot[],
): string | undefined {
  let previous: Dot | undefined;
  for (const [index, dot] of exceptions.entries()) {
    try {
      assertDot(dot, `exception ${index}`);
    } catch (error) {
      return (error as Error).message;
    }
    if (previous !== undefined && compareDots(previous, dot) >= 0) {
      return `exception ${formatDot(dot)} is not after ${formatDot(previous)}`;
    }
    if (dot.counter > vector.get(dot.node)) {
      return `exception ${formatDot(dot)} is above the vector ${vector.toString()}`;
    }
    previous = dot;
  }
  return undefined;
}

/** `context` or a version vector taken as a context without exceptions. */
export function asContext(context: CausalContext | VersionVector): CausalContext {
  return context instanceof CausalContext ? context : contextUnchecked(context, []);
}
