// A version scheme whose versions are objects — (wallMs, logical) pairs, like hybrid timestamps
// without a clock — so tests exercise the store with versions that are not numbers.
import { DecodeError, InvalidArgumentError } from "@pods/core-interfaces";
import type { VersionScheme } from "../src/index.ts";

export interface PairVersion {
  readonly wallMs: number;
  readonly logical: number;
}

export const pairVersions: VersionScheme<PairVersion> = {
  zero: { wallMs: 0, logical: 0 },
  compare: (a, b) => a.wallMs - b.wallMs || a.logical - b.logical,
  assertValid(version, what): asserts version is PairVersion {
    const { wallMs, logical } = (version ?? {}) as Partial<PairVersion>;
    const valid =
      Number.isSafeInteger(wallMs) &&
      (wallMs as number) >= 0 &&
      (wallMs as number) < 2 ** 48 &&
      Number.isSafeInteger(logical) &&
      (logical as number) >= 0 &&
      (logical as number) < 2 ** 16;
    if (!valid) throw new InvalidArgumentError(`${what} is not a pair version`);
  },
  format: (version) => `${version.wallMs}.${version.logical}`,
  encode(version) {
    const bytes = new Uint8Array(8);
    const view = new DataView(bytes.buffer);
    view.setUint16(0, Math.floor(version.wallMs / 2 ** 32));
    view.setUint32(2, version.wallMs % 2 ** 32);
    view.setUint16(6, version.logical);
    return bytes;
  },
  decode(bytes) {
    if (bytes.length !== 8)
      throw new DecodeError(`a pair version takes 8 bytes, got ${bytes.length}`);
    const view = new DataView(bytes.buffer, bytes.byteOffset, 8);
    return {
      wallMs: view.getUint16(0) * 2 ** 32 + view.getUint32(2),
      logical: view.getUint16(6),
    };
  },
};

/** Maps small integers onto pair versions in order: 0 → (0, 0), 1 → (0, 1), 2 → (0, 2), 3 → (1, 0). */
export function pairFromInt(n: number): PairVersion {
  return { wallMs: Math.floor(n / 3), logical: n % 3 };
}
