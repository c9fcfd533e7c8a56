/**
 * Turns values into bytes and back, for disks and the wire. `decode(encode(v))` equals `v`; every
 * encoding stands on its own (no state shared between calls).
 */
export interface Codec<V> {
  /**
   * Encodes `value`.
   *
   * @throws {@link InvalidArgumentError} when `value` cannot be encoded.
   */
  encode(value: V): Uint8Array;
  /**
   * Decodes one value from all of `bytes`. Never returns a partial or guessed value.
   *
   * @throws {@link DecodeError} when `bytes` are malformed, have trailing bytes, or do not hold a
   *   valid `V`.
   */
  decode(bytes: Uint8Array): V;
}
