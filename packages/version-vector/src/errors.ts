import { PodsError, type PodsErrorOptions } from "@pods/core-interfaces";
import type { VersionVector } from "./version-vector.ts";

/**
 * A put in `vector` mode was refused: a stored version that the put's context has not seen would
 * be descended by (and so lost to) the new version. Nothing changed. Read the key again and write
 * with the context the read returns, or use `dotted` mode, which keeps such writes as siblings.
 */
export class ObsoleteVersionError extends PodsError {
  /** The stable, machine-readable name of this failure: `"OBSOLETE_VERSION"`. */
  readonly code = "OBSOLETE_VERSION";
  /** The vector of the stored version the put has not seen. */
  readonly stored: VersionVector;
  /** The vector the put would have written. */
  readonly attempted: VersionVector;
  /**
   * @param stored - the stored version's vector.
   * @param attempted - the refused version's vector.
   * @param options - cause and outcome override.
   */
  constructor(stored: VersionVector, attempted: VersionVector, options?: PodsErrorOptions) {
    super(
      `The put is obsolete: its version ${attempted.toString()} would supersede the stored ` +
        `version ${stored.toString()}, which its context has not seen; nothing was written. Read ` +
        "the key again and write with the returned context.",
      "definite",
      options,
    );
    this.stored = stored;
    this.attempted = attempted;
  }
}

/**
 * A put would make a key hold more than `siblingsMax` concurrent versions. Nothing changed. Read
 * the key, resolve its siblings into one value and write that with the read's context.
 */
export class TooManySiblingsError extends PodsError {
  /** The stable, machine-readable name of this failure: `"TOO_MANY_SIBLINGS"`. */
  readonly code = "TOO_MANY_SIBLINGS";
  /** The limit that would have been passed. */
  readonly siblingsMax: number;
  /**
   * @param siblingsMax - the configured limit.
   * @param options - cause and outcome override.
   */
  constructor(siblingsMax: number, options?: PodsErrorOptions) {
    super(
      `The put would leave more than siblingsMax (${siblingsMax}) concurrent versions of the key; ` +
        "nothing was written. Read the key, resolve its siblings and write the result with the " +
        "read's context.",
      "definite",
      options,
    );
    this.siblingsMax = siblingsMax;
  }
}

/**
 * Fewer replicas answered than the operation needs. For a read the outcome is `definite` (reads
 * change nothing). For a write it is `indefinite` when any replica may have stored it (a request
 * timed out, or a coordinator stored it but could not reach enough others), `definite` when none
 * could even be sent to.
 */
export class NotEnoughReplicasError extends PodsError {
  /** The stable, machine-readable name of this failure: `"NOT_ENOUGH_REPLICAS"`. */
  readonly code = "NOT_ENOUGH_REPLICAS";
  /** How many replicas had to answer. */
  readonly needed: number;
  /** How many did. */
  readonly answered: number;
  /**
   * @param operation - what failed, e.g. `"put cart"`.
   * @param needed - replicas required.
   * @param answered - replicas that answered.
   * @param options - set `outcome: "indefinite"` when the write may have been stored.
   */
  constructor(operation: string, needed: number, answered: number, options?: PodsErrorOptions) {
    super(
      `${operation} needed ${needed} replica(s) to answer but ${answered} did; ` +
        (options?.outcome === "indefinite"
          ? "the write may still have been stored and may spread, so retry only with a fresh read."
          : "nothing changed; retry when more replicas are reachable."),
      "definite",
      options,
    );
    this.needed = needed;
    this.answered = answered;
  }
}
