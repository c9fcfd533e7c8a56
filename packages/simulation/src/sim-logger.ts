import type { LogFields, Logger, LogLevel } from "@pods/core-interfaces";

/** One structured log event recorded by a simulated node. */
export interface LogRecord {
  /** Virtual time of the event, in milliseconds. */
  readonly timeMs: number;
  /** The node that logged it. */
  readonly node: string;
  /** The incarnation (boot count) of the node that logged it. */
  readonly incarnation: number;
  /** Its severity. */
  readonly level: LogLevel;
  /** Its stable name, e.g. `"election.won"`. */
  readonly event: string;
  /** Its fields, including those added by `child()`. */
  readonly fields: LogFields;
}

/** Renders log fields as JSON for the trace, never throwing (bigints and bytes are summarised). */
export function formatFields(fields: LogFields): string {
  try {
    return JSON.stringify(fields, (_key, value: unknown) =>
      typeof value === "bigint"
        ? `${value}n`
        : value instanceof Uint8Array
          ? `<${value.length} bytes>`
          : value,
    );
  } catch {
    return '"<fields not serialisable>"';
  }
}

/**
 * A `Logger` that hands every event, with the fields of its `child()` chain merged in, to
 * `sink`. Logging never throws.
 */
export function createSimLogger(
  sink: (level: LogLevel, event: string, fields: LogFields) => void,
  baseFields: LogFields = {},
): Logger {
  const log =
    (level: LogLevel) =>
    (event: string, fields?: LogFields): void => {
      sink(level, event, fields === undefined ? baseFields : { ...baseFields, ...fields });
    };
  return {
    debug: log("debug"),
    info: log("info"),
    warn: log("warn"),
    error: log("error"),
    child: (fields) => createSimLogger(sink, { ...baseFields, ...fields }),
  };
}
