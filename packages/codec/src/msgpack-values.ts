/**
 * The value model of the MessagePack codec: which JavaScript values it encodes, and how the raw
 * output of msgpackr is turned into exactly those values on decode. Both walks bound the nesting
 * depth, so a cyclic value or a deeply nested message fails cleanly instead of exhausting the
 * stack.
 */

/** The smallest and largest integers a MessagePack int 64 / uint 64 holds. */
const int64Min = -(2n ** 63n);
const uint64Max = 2n ** 64n - 1n;

const loneSurrogateString = "a string with a lone UTF-16 surrogate (not valid Unicode)";
const loneSurrogateKey = "a key with a lone UTF-16 surrogate (not valid Unicode)";
const bigIntOutOfRange = "a bigint outside the 64-bit range [-2^63, 2^64)";

/** A value outside the model, found at `path` (the keys and indexes from the root). */
export class UnsupportedValue extends Error {
  readonly path: (string | number)[] = [];
  /** `$.entries[3].payload`-style path, for messages. */
  describePath(): string {
    let described = "$";
    for (const key of this.path) {
      described +=
        typeof key === "number"
          ? `[${key}]`
          : /^[A-Za-z_$][\w$]*$/.test(key)
            ? `.${key}`
            : `[${JSON.stringify(key)}]`;
    }
    return described;
  }
}

/** Adds `key` to the front of the path of an UnsupportedValue thrown below it. */
function addKey(error: unknown, key: string | number): void {
  if (error instanceof UnsupportedValue) error.path.unshift(key);
}

/** `String.prototype.isWellFormed` (ES2024, present on Node 20), typed for the ES2023 lib. */
function isWellFormed(text: string): boolean {
  return (text as unknown as { isWellFormed(): boolean }).isWellFormed();
}

function describeType(value: object): string {
  const constructor = (value as { constructor?: unknown }).constructor;
  return typeof constructor === "function" && constructor.name !== ""
    ? `an instance of ${constructor.name}`
    : "an object with a custom prototype";
}

function isPlainObject(value: object): boolean {
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

function inBigIntRange(value: bigint): boolean {
  return value >= int64Min && value <= uint64Max;
}

/**
 * Checks that msgpackr will encode `value` so that it decodes to an equal value.
 *
 * @throws {@link UnsupportedValue} naming the first offending part.
 */
export function checkEncodable(value: unknown, depthLeft: number): void {
  switch (typeof value) {
    case "number":
    case "boolean":
    case "undefined":
      return;
    case "string":
      if (!isWellFormed(value)) throw new UnsupportedValue(loneSurrogateString);
      return;
    case "bigint":
      if (!inBigIntRange(value)) throw new UnsupportedValue(bigIntOutOfRange);
      return;
    case "function":
    case "symbol":
      throw new UnsupportedValue(`a ${typeof value}`);
    case "object":
      break;
  }
  if (value === null || value instanceof Uint8Array || value instanceof Date) return;
  if (depthLeft === 0) {
    throw new UnsupportedValue("a value nested deeper than nestingDepthMax levels (or a cycle)");
  }
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index++) {
      try {
        checkEncodable(value[index], depthLeft - 1);
      } catch (error) {
        addKey(error, index);
        throw error;
      }
    }
    return;
  }
  if (!isPlainObject(value)) throw new UnsupportedValue(describeType(value));
  const object = value as Record<string, unknown>;
  if (object.constructor !== Object && object.toJSON) {
    // msgpackr takes such an object for a class instance and calls its toJSON.
    throw new UnsupportedValue("an object with a toJSON key and a constructor key or no prototype");
  }
  for (const key of Object.keys(object)) {
    if (!isWellFormed(key)) throw new UnsupportedValue(loneSurrogateKey);
    try {
      checkEncodable(object[key], depthLeft - 1);
    } catch (error) {
      addKey(error, key);
      throw error;
    }
  }
}

/**
 * Turns what msgpackr decoded (maps as `Map`s) into the codec's values: maps become plain objects
 * with string keys (`__proto__` an ordinary own property); anything the encoder never produces is
 * rejected. Arrays are converted in place (they are fresh from the decoder).
 *
 * @throws {@link UnsupportedValue} naming the first offending part.
 */
export function fromDecoded(value: unknown, depthLeft: number): unknown {
  if (typeof value === "bigint" && !inBigIntRange(value)) {
    throw new UnsupportedValue(bigIntOutOfRange); // msgpackr's bigint extension (0x42)
  }
  if (typeof value !== "object" || value === null || value instanceof Date) return value;
  if (value.constructor === Uint8Array) return value;
  if (depthLeft === 0)
    throw new UnsupportedValue("a value nested deeper than nestingDepthMax levels");
  if (Array.isArray(value)) {
    const array: unknown[] = value;
    for (let index = 0; index < array.length; index++) {
      try {
        array[index] = fromDecoded(array[index], depthLeft - 1);
      } catch (error) {
        addKey(error, index);
        throw error;
      }
    }
    return array;
  }
  if (value instanceof Map) {
    const object: Record<string, unknown> = {};
    for (const [key, entry] of value as Map<unknown, unknown>) {
      if (typeof key !== "string") {
        throw new UnsupportedValue(`a map key of type ${typeof key} (only string keys decode)`);
      }
      let converted: unknown;
      try {
        converted = fromDecoded(entry, depthLeft - 1);
      } catch (error) {
        addKey(error, key);
        throw error;
      }
      if (key === "__proto__") {
        Object.defineProperty(object, key, {
          value: converted,
          writable: true,
          enumerable: true,
          configurable: true,
        });
      } else {
        object[key] = converted;
      }
    }
    return object;
  }
  throw new UnsupportedValue(
    isPlainObject(value)
      ? "a msgpackr record (encode with useRecords: false)"
      : `${describeType(value)} (a msgpackr extension type this codec does not use)`,
  );
}
