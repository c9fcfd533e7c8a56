import { DecodeError } from "@pods/core-interfaces";
import type { VersionScheme } from "./version-scheme.ts";

// A key is written one UTF-16 code unit at a time, each in UTF-8's 1-, 2- or 3-byte form (so a
// lone surrogate is written like any other unit). That form is prefix-free and ordered like the
// units, so bytes sort like the strings do in JavaScript. A zero byte is escaped as 00 FF and the
// key ends with 00 01, which sorts below every continuation: "a" < "a\0" < "ab" hold in bytes too.
const escapeByte = 0xff;
const terminatorByte = 0x01;

/**
 * The order-preserving bytes of `key` alone, ending with its terminator: the prefix shared by the
 * encodings of all of `key`'s versions (seek to it to find them in a disk engine).
 */
export function encodeKey(key: string): Uint8Array {
  return encodeWithSuffix(key, 0);
}

/**
 * The bytes of (`key`, `version`) for a sorted disk engine: their unsigned lexicographic order is
 * the store's order — by key (UTF-16 code units), then by version (`scheme.compare`).
 */
export function encodeKeyVersion<Ver>(
  key: string,
  version: Ver,
  scheme: VersionScheme<Ver>,
): Uint8Array {
  const versionBytes = scheme.encode(version);
  const bytes = encodeWithSuffix(key, versionBytes.length);
  bytes.set(versionBytes, bytes.length - versionBytes.length);
  return bytes;
}

/** A key and version decoded by {@link decodeKeyVersion}. */
export interface KeyVersion<Ver> {
  /** The key. */
  readonly key: string;
  /** The version. */
  readonly version: Ver;
}

/**
 * The inverse of {@link encodeKeyVersion}.
 *
 * @throws `DecodeError` when `bytes` are not such an encoding.
 */
export function decodeKeyVersion<Ver>(
  bytes: Uint8Array,
  scheme: VersionScheme<Ver>,
): KeyVersion<Ver> {
  const units: number[] = [];
  let offset = 0;
  for (;;) {
    const lead = bytes[offset];
    if (lead === undefined) throw new DecodeError("the key has no terminator", { offset });
    if (lead === 0) {
      const next = bytes[offset + 1];
      offset += 2;
      if (next === terminatorByte) break;
      if (next !== escapeByte) {
        throw new DecodeError("a zero byte is neither escaped nor a terminator", {
          offset: offset - 2,
        });
      }
      units.push(0);
      continue;
    }
    const length =
      lead < 0x80 ? 1 : lead >= 0xc0 && lead < 0xe0 ? 2 : lead >= 0xe0 && lead < 0xf0 ? 3 : 0;
    let unit = length === 1 ? lead : length === 2 ? lead & 0x1f : lead & 0x0f;
    for (let index = 1; index < length; index++) {
      const continuation = bytes[offset + index];
      if (continuation === undefined || (continuation & 0xc0) !== 0x80) {
        throw new DecodeError("a code unit is cut short", { offset });
      }
      unit = (unit << 6) | (continuation & 0x3f);
    }
    if (length === 0 || unitBytes(unit) !== length || unit === 0) {
      throw new DecodeError("a code unit is not in its shortest form", { offset });
    }
    units.push(unit);
    offset += length;
  }
  return { key: decodeUnits(units), version: scheme.decode(bytes.subarray(offset)) };
}

function encodeWithSuffix(key: string, suffixBytes: number): Uint8Array {
  let length = 2 + suffixBytes;
  for (let index = 0; index < key.length; index++) length += unitBytes(key.charCodeAt(index));
  const bytes = new Uint8Array(length);
  let offset = 0;
  for (let index = 0; index < key.length; index++) {
    const unit = key.charCodeAt(index);
    if (unit === 0) {
      bytes[offset++] = 0;
      bytes[offset++] = escapeByte;
    } else if (unit < 0x80) {
      bytes[offset++] = unit;
    } else if (unit < 0x800) {
      bytes[offset++] = 0xc0 | (unit >> 6);
      bytes[offset++] = 0x80 | (unit & 0x3f);
    } else {
      bytes[offset++] = 0xe0 | (unit >> 12);
      bytes[offset++] = 0x80 | ((unit >> 6) & 0x3f);
      bytes[offset++] = 0x80 | (unit & 0x3f);
    }
  }
  bytes[offset++] = 0;
  bytes[offset] = terminatorByte;
  return bytes;
}

/** The bytes one code unit takes; the zero unit takes two (escaped). */
function unitBytes(unit: number): number {
  return unit === 0 ? 2 : unit < 0x80 ? 1 : unit < 0x800 ? 2 : 3;
}

/** Builds a string from code units in slices, since spreading a long array overflows the stack. */
function decodeUnits(units: readonly number[]): string {
  let key = "";
  for (let start = 0; start < units.length; start += 4096) {
    key += String.fromCharCode(...units.slice(start, start + 4096));
  }
  return key;
}
