/** Limits on what one logged value may expand to. */
export interface LogValueLimits {
  /** Nesting levels printed; deeper objects print as `"[Object]"` / `"[Array]"`. */
  readonly depthMax: number;
  /** Array items, object keys, Map and Set entries printed per container. */
  readonly itemsMax: number;
}

/** Bytes of a binary value shown (in hex) in its summary. */
const bytesShown = 32;

type Json = string | number | boolean | null | undefined | Json[] | { [key: string]: Json };

/**
 * Converts any value into plain JSON data, never throwing: Errors become `{ name, message, code?,
 * ...own fields, stack?, cause? }`, BigInts and non-finite numbers strings, byte arrays a short
 * summary (`"Uint8Array(1024) 0a1b…"`), Dates ISO strings, Maps arrays of pairs, Sets arrays,
 * functions and symbols descriptions, a reference back to an enclosing object `"[Circular]"`, and a
 * value whose getters or proxy traps throw `"[Unserializable: <message>]"`. `undefined` is kept
 * (JSON.stringify drops it from objects).
 */
export function toLogValue(value: unknown, limits: LogValueLimits): Json {
  return convert(value, limits, 0, []);
}

/** Reads `object[key]`, turning a throwing getter into a marker string. */
export function readField(object: object, key: string): unknown {
  try {
    return (object as Record<string, unknown>)[key];
  } catch (error) {
    return unserializable(error);
  }
}

/** The own enumerable string keys of `object`, or none when its proxy throws. */
export function keysOf(object: object): string[] {
  try {
    return Object.keys(object);
  } catch {
    return [];
  }
}

function unserializable(error: unknown): string {
  try {
    return `[Unserializable: ${error instanceof Error ? error.message : typeof error}]`;
  } catch {
    return "[Unserializable]";
  }
}

function convert(value: unknown, limits: LogValueLimits, depth: number, ancestors: object[]): Json {
  try {
    switch (typeof value) {
      case "string":
      case "boolean":
      case "undefined":
        return value;
      case "number":
        return Number.isFinite(value) ? value : String(value);
      case "bigint":
        return value.toString();
      case "symbol":
        return value.toString();
      case "function":
        return `[Function ${value.name === "" ? "anonymous" : value.name}]`;
      case "object":
        if (value === null) return null;
        if (ancestors.includes(value)) return "[Circular]";
        return convertObject(value, limits, depth, ancestors);
    }
  } catch (error) {
    return unserializable(error);
  }
}

function convertObject(
  value: object,
  limits: LogValueLimits,
  depth: number,
  ancestors: object[],
): Json {
  if (ArrayBuffer.isView(value)) return summariseBytes(value);
  if (value instanceof ArrayBuffer) return `ArrayBuffer(${value.byteLength})`;
  if (value instanceof Date)
    return Number.isNaN(value.getTime()) ? "Invalid Date" : value.toISOString();
  if (depth >= limits.depthMax) return Array.isArray(value) ? "[Array]" : "[Object]";
  ancestors.push(value);
  try {
    const inner = (item: unknown): Json => convert(item, limits, depth + 1, ancestors);
    if (Array.isArray(value)) return convertItems(value, value.length, limits, inner);
    if (value instanceof Set) {
      return convertItems(firstItems(value, limits.itemsMax), value.size, limits, inner);
    }
    if (value instanceof Map) {
      const pairs = firstItems(value, limits.itemsMax);
      return convertItems(pairs, value.size, limits, ([key, item]) => [inner(key), inner(item)]);
    }
    if (value instanceof Error) return convertError(value, inner);
    if (typeof (value as { toJSON?: unknown }).toJSON === "function") {
      return inner((value as { toJSON: () => unknown }).toJSON());
    }
    return convertPlainObject(value, limits, inner);
  } finally {
    ancestors.pop();
  }
}

function firstItems<T>(items: Iterable<T>, count: number): T[] {
  const first: T[] = [];
  for (const item of items) {
    if (first.length === count) break;
    first.push(item);
  }
  return first;
}

function convertItems<T>(
  items: readonly T[],
  total: number,
  limits: LogValueLimits,
  inner: (item: T) => Json,
): Json[] {
  const shown = items.slice(0, limits.itemsMax).map((item) => {
    const converted = inner(item);
    return converted === undefined ? null : converted;
  });
  if (total > limits.itemsMax) shown.push(`[${total - limits.itemsMax} more]`);
  return shown;
}

function convertFields(
  object: object,
  keys: readonly string[],
  inner: (item: unknown) => Json,
): { [key: string]: Json } {
  const result = Object.create(null) as { [key: string]: Json };
  for (const key of keys) result[key] = inner(readField(object, key));
  return result;
}

function convertPlainObject(
  object: object,
  limits: LogValueLimits,
  inner: (item: unknown) => Json,
): { [key: string]: Json } {
  const keys = keysOf(object);
  const result = convertFields(object, keys.slice(0, limits.itemsMax), inner);
  if (keys.length > limits.itemsMax) result["[more keys]"] = keys.length - limits.itemsMax;
  return result;
}

function convertError(error: Error, inner: (item: unknown) => Json): Json {
  const keys = new Set(["name", "message", "code", ...keysOf(error), "stack", "cause"]);
  const present = [...keys].filter((key) => readField(error, key) !== undefined);
  return convertFields(error, present, inner);
}

function summariseBytes(view: ArrayBufferView): string {
  const bytes = new Uint8Array(view.buffer, view.byteOffset, Math.min(view.byteLength, bytesShown));
  const hex = Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
  const name = view.constructor.name;
  const length = "length" in view ? (view as { length: number }).length : view.byteLength;
  return `${name}(${length}) ${hex}${view.byteLength > bytesShown ? "…" : ""}`;
}
