import {
  InvalidArgumentError,
  logLevels,
  type LogFields,
  type Logger,
  type LogLevel,
} from "@pods/core-interfaces";
import { keysOf, readField, toLogValue, type LogValueLimits } from "./log-value.ts";

/** Options of {@link createJsonLogger}. */
export interface JsonLoggerOptions {
  /** The least severe level printed; events below it are dropped. Default `"info"`. */
  readonly level?: LogLevel;
  /**
   * Receives each event as one line of JSON ending in `"\n"`. Default: write it to
   * `process.stderr`. An exception it throws is swallowed (logging never throws).
   */
  readonly write?: (line: string) => void;
  /** Fields added to every event, e.g. `{ node: "athens" }`. Default none. */
  readonly fields?: LogFields;
  /** Nesting levels printed inside a field value; deeper ones print as `"[Object]"`. Default 8. */
  readonly depthMax?: number;
  /** Array items, object keys, Map and Set entries printed per container. Default 100. */
  readonly itemsMax?: number;
}

const reservedKeys = new Set(["time", "level", "event"]);

/**
 * A `Logger` printing one JSON object per line:
 * `{"time":"2026-11-25T16:47:00.000Z","level":"info","event":"election.won","node":"athens",...}`.
 *
 * Fields of the logger, of its children (`child(fields)`, later ones override earlier ones) and of
 * the event are merged in that order; a field named `time`, `level` or `event` is printed as
 * `field.time` etc. so it cannot hide the event's own. Methods for levels below `level` do nothing
 * (no formatting, no allocation). Serialisation never throws; see the README for how Errors,
 * BigInts, byte arrays, cycles and hostile objects print.
 *
 * @throws `InvalidArgumentError` when an option is out of range.
 */
export function createJsonLogger(options: JsonLoggerOptions = {}): Logger {
  const { level = "info", fields = {}, depthMax = 8, itemsMax = 100 } = options;
  if (!logLevels.includes(level)) {
    throw new InvalidArgumentError(
      `createJsonLogger: level must be one of ${logLevels.join(", ")}, got ${String(level)}.`,
    );
  }
  const write = options.write ?? ((line: string) => process.stderr.write(line));
  if (typeof write !== "function") {
    throw new InvalidArgumentError("createJsonLogger: write must be a function (line) => void.");
  }
  if (typeof fields !== "object" || fields === null) {
    throw new InvalidArgumentError("createJsonLogger: fields must be an object of field values.");
  }
  for (const [name, value, max] of [
    ["depthMax", depthMax, 64],
    ["itemsMax", itemsMax, 100_000],
  ] as const) {
    if (!Number.isSafeInteger(value) || value < 1 || value > max) {
      throw new InvalidArgumentError(
        `createJsonLogger: ${name} must be an integer from 1 to ${max}, got ${String(value)}.`,
      );
    }
  }
  return new JsonLogger({ level, write, limits: { depthMax, itemsMax } }, [fields]);
}

interface JsonLoggerSettings {
  readonly level: LogLevel;
  readonly write: (line: string) => void;
  readonly limits: LogValueLimits;
}

const ignore = (): void => undefined;

class JsonLogger implements Logger {
  readonly debug: Logger["debug"];
  readonly info: Logger["info"];
  readonly warn: Logger["warn"];
  readonly error: Logger["error"];
  readonly #settings: JsonLoggerSettings;
  readonly #layers: readonly LogFields[];

  constructor(settings: JsonLoggerSettings, layers: readonly LogFields[]) {
    this.#settings = settings;
    this.#layers = layers;
    const threshold = logLevels.indexOf(settings.level);
    const method = (level: LogLevel): Logger["info"] =>
      logLevels.indexOf(level) < threshold
        ? ignore
        : (event, fields) => this.#log(level, event, fields);
    this.debug = method("debug");
    this.info = method("info");
    this.warn = method("warn");
    this.error = method("error");
  }

  child(fields: LogFields): Logger {
    return new JsonLogger(this.#settings, [...this.#layers, fields]);
  }

  #log(level: LogLevel, event: string, fields: LogFields | undefined): void {
    try {
      const { limits, write } = this.#settings;
      const record = Object.create(null) as Record<string, unknown>;
      record.time = new Date().toISOString();
      record.level = level;
      record.event = typeof event === "string" ? event : toLogValue(event, limits);
      for (const layer of fields === undefined ? this.#layers : [...this.#layers, fields]) {
        if (typeof layer !== "object" || layer === null) continue;
        for (const key of keysOf(layer)) {
          const value = toLogValue(readField(layer, key), limits);
          record[reservedKeys.has(key) ? `field.${key}` : key] = value;
        }
      }
      write(`${JSON.stringify(record)}\n`);
    } catch {
      // Logging never throws: a failing write (a closed stream) loses the event.
    }
  }
}
