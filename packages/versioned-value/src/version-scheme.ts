import { DecodeError, InvalidArgumentError } from "@pods/core-interfaces";

/**
 * What a store needs to know about its versions: how they order, which values are versions at all,
 * the version that stands for "before any write", and a byte form that sorts like the versions.
 *
 * Integer revisions come ready as {@link integerVersions}; hybrid or Lamport timestamps need a few
 * lines (see the README). A scheme must describe a total order: `compare(a, b) === 0` only when `a`
 * and `b` are the same version.
 */
export interface VersionScheme<Ver> {
  /** "Before any write": a read at `zero` sees nothing, and every write is above it. */
  readonly zero: Ver;
  /** Negative when `a` is older than `b`, zero when they are the same version, positive otherwise. */
  readonly compare: (a: Ver, b: Ver) => number;
  /**
   * Checks that `version` is a version of this scheme. The store calls it on every version it is
   * given.
   *
   * @param what - names the version in the message, e.g. `"atVersion"`.
   * @throws `InvalidArgumentError` naming `what`, the value and the rule.
   */
  readonly assertValid: (version: unknown, what: string) => asserts version is Ver;
  /** A short human-readable form, for error messages. */
  readonly format: (version: Ver) => string;
  /**
   * The version as bytes whose unsigned lexicographic order (a shorter prefix first) is the order
   * of {@link VersionScheme.compare}. The length may vary.
   */
  readonly encode: (version: Ver) => Uint8Array;
  /**
   * The inverse of {@link VersionScheme.encode}: all of `bytes` hold one version.
   *
   * @throws `DecodeError` when `bytes` do not hold a version of this scheme.
   */
  readonly decode: (bytes: Uint8Array) => Ver;
}

const uint32Range = 2 ** 32;

/**
 * Versions that are non-negative safe integers (revision counters, log indexes): 0 is "before any
 * write", writes use 1 and up. They encode as 8 bytes, unsigned big-endian.
 */
export const integerVersions: VersionScheme<number> = {
  zero: 0,
  compare: (a, b) => a - b,
  assertValid(version, what): asserts version is number {
    if (!Number.isSafeInteger(version) || (version as number) < 0) {
      throw new InvalidArgumentError(
        `${what} must be an integer version from 0 to 2^53 - 1, got ${String(version)}.`,
      );
    }
  },
  format: (version) => String(version),
  encode(version) {
    const bytes = new Uint8Array(8);
    const view = new DataView(bytes.buffer);
    view.setUint32(0, Math.floor(version / uint32Range));
    view.setUint32(4, version % uint32Range);
    return bytes;
  },
  decode(bytes) {
    if (bytes.length !== 8) {
      throw new DecodeError(`an integer version takes 8 bytes, got ${bytes.length}`);
    }
    const view = new DataView(bytes.buffer, bytes.byteOffset, 8);
    const version = view.getUint32(0) * uint32Range + view.getUint32(4);
    if (!Number.isSafeInteger(version)) {
      throw new DecodeError(`the integer version ${version} is beyond 2^53 - 1`);
    }
    return version;
  },
};
