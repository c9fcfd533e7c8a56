import { DecodeError, InvalidArgumentError, type Codec } from "@pods/core-interfaces";
import { Packr, Unpackr } from "msgpackr";
import { checkEncodable, fromDecoded, UnsupportedValue } from "./msgpack-values.ts";

/** The default of {@link MsgpackCodecOptions.nestingDepthMax}. */
export const defaultNestingDepthMax = 64;

/** Options of {@link createMsgpackCodec}. */
export interface MsgpackCodecOptions<V> {
  /**
   * Checks a decoded value and returns it as a `V`; throws to reject it. Lets a protocol refuse
   * well-formed MessagePack that is not one of its messages. A failure reaches the caller of
   * `decode` as a `DecodeError` whose `cause` is the thrown error (a `DecodeError` thrown by
   * `validate` passes through unchanged). Default: no check; the decoded value is trusted to be
   * a `V`.
   */
  readonly validate?: (value: unknown) => V;
  /**
   * The deepest nesting of arrays and objects accepted, in levels (the root container is level
   * 1): an integer from 1 to 1000. Deeper values fail to encode (`InvalidArgumentError`) and to
   * decode (`DecodeError`); this also turns a cyclic value into a clean error. Default
   * {@link defaultNestingDepthMax} (64).
   */
  readonly nestingDepthMax?: number;
}

const nestingDepthLimit = 1000;

/**
 * Shared msgpackr instances (they keep no state between calls with these options):
 * - `useRecords: false`: plain MessagePack maps, so every value decodes on its own;
 * - `variableMapSize`: the smallest map header, and no 65 535-key limit;
 * - `mapsAsObjects: false`: maps decode as `Map`s, turned into objects by `fromDecoded`, which
 *   keeps a `__proto__` key as an ordinary property (msgpackr would rename it) and rejects
 *   non-string keys instead of stringifying them;
 * - `copyBuffers: false`: binary values are views of the input, which `decode` copies once, so
 *   they never alias the caller's bytes (one copy is cheaper than a copy per binary value);
 * - `int64AsType: "bigint"`: MessagePack 64-bit integers decode as bigints, never rounded;
 * - `structuredClone: false`: no shared references or cycles in decoded values.
 */
const packr = new Packr({ useRecords: false, variableMapSize: true });
const unpackr = new Unpackr({
  useRecords: false,
  mapsAsObjects: false,
  copyBuffers: false,
  int64AsType: "bigint",
  structuredClone: false,
});

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Creates a `Codec` (of `@pods/core-interfaces`) that writes MessagePack with msgpackr. Each
 * encoding stands on its own (no shared record definitions), so any single message or log record
 * decodes without context.
 *
 * Values: `null`, `undefined`, booleans, numbers, strings, bigints in the 64-bit range,
 * `Uint8Array`s, `Date`s, arrays, and plain objects of these. They decode to equal values, with
 * these normalisations: `-0` decodes as `0`; a `Uint8Array` subclass (a Node `Buffer`) decodes as
 * a plain `Uint8Array`; array holes decode as `undefined`. Decoded binary values are views into
 * one private copy of the input: they share its `ArrayBuffer` (mind `byteOffset`) but never the
 * caller's bytes.
 * Anything else — functions, symbols, `Map`, `Set`, other typed arrays, class instances, strings
 * with lone surrogates — is refused by `encode` rather than silently changed.
 *
 * @example
 * ```ts
 * const codec = createMsgpackCodec<{ type: "ping"; sentMs: number }>();
 * codec.decode(codec.encode({ type: "ping", sentMs: 1 })); // { type: "ping", sentMs: 1 }
 * ```
 *
 * @typeParam V - the type of the values (usually a protocol's message union).
 * @param options - validation of decoded values and the nesting limit.
 * @throws `InvalidArgumentError` when an option is out of range.
 */
export function createMsgpackCodec<V = unknown>(options: MsgpackCodecOptions<V> = {}): Codec<V> {
  const { validate } = options;
  const nestingDepthMax = options.nestingDepthMax ?? defaultNestingDepthMax;
  if (
    !Number.isInteger(nestingDepthMax) ||
    nestingDepthMax < 1 ||
    nestingDepthMax > nestingDepthLimit
  ) {
    throw new InvalidArgumentError(
      `nestingDepthMax must be an integer from 1 to ${nestingDepthLimit}, got ` +
        `${String(nestingDepthMax)}; the default is ${defaultNestingDepthMax}.`,
    );
  }
  if (validate !== undefined && typeof validate !== "function") {
    throw new InvalidArgumentError("The validate option must be a function (value) => V.");
  }

  return {
    encode(value: V): Uint8Array {
      try {
        checkEncodable(value, nestingDepthMax);
      } catch (error) {
        if (!(error instanceof UnsupportedValue)) {
          throw new InvalidArgumentError(`Cannot encode the value: ${messageOf(error)}.`, {
            cause: error,
          });
        }
        throw new InvalidArgumentError(
          `Cannot encode ${error.message} at ${error.describePath()}; send only null, ` +
            "undefined, booleans, numbers, strings, 64-bit bigints, Uint8Arrays, Dates, arrays " +
            "and plain objects.",
        );
      }
      let packed: Uint8Array;
      try {
        packed = packr.pack(value);
      } catch (error) {
        throw new InvalidArgumentError(`Cannot encode the value: ${messageOf(error)}.`, {
          cause: error,
        });
      }
      // A plain copy: msgpackr returns a Buffer view of a buffer it keeps writing into.
      return new Uint8Array(packed);
    },

    decode(bytes: Uint8Array): V {
      if (!(bytes instanceof Uint8Array)) {
        throw new InvalidArgumentError("decode(bytes) needs a Uint8Array of encoded bytes.");
      }
      if (bytes.length === 0) {
        throw new DecodeError("the input is empty; a MessagePack value is at least 1 byte");
      }
      let value: unknown;
      try {
        // A private plain copy: binary values view it (so they are plain Uint8Arrays even for a
        // Buffer input, and the caller may reuse its bytes), and msgpackr caches a DataView on it.
        value = fromDecoded(unpackr.unpack(new Uint8Array(bytes)), nestingDepthMax);
      } catch (error) {
        const problem =
          error instanceof UnsupportedValue
            ? `${error.message} at ${error.describePath()}`
            : `not one well-formed MessagePack value (${messageOf(error)})`;
        throw new DecodeError(
          `${problem}; the bytes are damaged or were not written by this codec, so discard them`,
          {},
          { cause: error },
        );
      }
      if (validate === undefined) return value as V;
      try {
        return validate(value);
      } catch (error) {
        if (error instanceof DecodeError) throw error;
        throw new DecodeError(
          `the value is well-formed but failed validation (${messageOf(error)}); the sender ` +
            "speaks another protocol or version, so reject the message",
          {},
          { cause: error },
        );
      }
    },
  };
}
