import { InvalidArgumentError } from "@pods/core-interfaces";

/**
 * CRC-32C (Castagnoli): the checksum of iSCSI, ext4, Btrfs, LevelDB and Kafka's record batches.
 * It detects every single-bit error, every odd number of flipped bits (the polynomial has the
 * factor x + 1), every burst of up to 32 bits, and every 2- or 3-bit error in data up to 2^31 bits.
 *
 * Table-driven "slice-by-8": eight 256-entry tables let the loop fold eight input bytes per step
 * with independent lookups, several times faster than the byte-at-a-time loop, in plain
 * TypeScript.
 */

/** The CRC-32C polynomial 0x1EDC6F41, bit-reflected (least significant bit first). */
const reflectedPolynomial = 0x82f63b78;

/**
 * `tables[k * 256 + b]` is the CRC of byte `b` followed by `k` zero bytes, so eight lookups (one
 * per byte of an 8-byte block) XOR together to the CRC of the block. Int32Array keeps the entries
 * in V8's 32-bit integer representation.
 */
const tables = buildTables();

function buildTables(): Int32Array {
  const table = new Int32Array(8 * 256);
  for (let byte = 0; byte < 256; byte++) {
    let crc = byte;
    for (let bit = 0; bit < 8; bit++) {
      crc = crc & 1 ? (crc >>> 1) ^ reflectedPolynomial : crc >>> 1;
    }
    table[byte] = crc;
  }
  for (let slice = 1; slice < 8; slice++) {
    for (let byte = 0; byte < 256; byte++) {
      const previous = table[(slice - 1) * 256 + byte]!;
      table[slice * 256 + byte] = (previous >>> 8) ^ table[previous & 0xff]!;
    }
  }
  return table;
}

/**
 * The CRC-32C of `bytes[start, end)`, continuing from `initial` (the CRC of the bytes before).
 * The public {@link crc32c} covers a whole array; framing uses ranges to avoid `subarray` views.
 */
export function crc32cRange(
  bytes: Uint8Array,
  start: number,
  end: number,
  initial: number,
): number {
  const t = tables;
  let crc = ~initial;
  let i = start;
  for (const blockEnd = end - 8; i <= blockEnd; i += 8) {
    crc ^= bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24);
    crc =
      t[1792 + (crc & 0xff)]! ^
      t[1536 + ((crc >>> 8) & 0xff)]! ^
      t[1280 + ((crc >>> 16) & 0xff)]! ^
      t[1024 + (crc >>> 24)]! ^
      t[768 + bytes[i + 4]!]! ^
      t[512 + bytes[i + 5]!]! ^
      t[256 + bytes[i + 6]!]! ^
      t[bytes[i + 7]!]!;
  }
  for (; i < end; i++) {
    crc = (crc >>> 8) ^ t[(crc ^ bytes[i]!) & 0xff]!;
  }
  return ~crc >>> 0;
}

/**
 * Computes the CRC-32C (Castagnoli, reflected polynomial 0x82F63B78) of `bytes`.
 *
 * Incremental: pass the CRC of the bytes before as `initial`, so
 * `crc32c(b, crc32c(a))` equals the CRC of `a` followed by `b`.
 *
 * @example
 * ```ts
 * crc32c(new TextEncoder().encode("123456789")); // 0xe3069283
 * ```
 *
 * @param bytes - the data.
 * @param initial - the CRC of the data before `bytes` (an unsigned 32-bit integer); default 0, the
 *   CRC of no data.
 * @returns the CRC as an unsigned 32-bit integer.
 * @throws `InvalidArgumentError` when `bytes` is not a Uint8Array or `initial` is not an
 *   unsigned 32-bit integer.
 */
export function crc32c(bytes: Uint8Array, initial = 0): number {
  if (!(bytes instanceof Uint8Array)) {
    throw new InvalidArgumentError("crc32c(bytes) needs a Uint8Array; pass the bytes to checksum.");
  }
  if (initial >>> 0 !== initial) {
    throw new InvalidArgumentError(
      `crc32c's initial value must be an unsigned 32-bit integer (a previous crc32c result), got ${initial}.`,
    );
  }
  return crc32cRange(bytes, 0, bytes.length, initial);
}
