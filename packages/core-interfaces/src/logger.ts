/** Severity of a log event. */
export type LogLevel = "debug" | "info" | "warn" | "error";

/** The severities in increasing order. */
export const logLevels: readonly LogLevel[] = ["debug", "info", "warn", "error"];

/** Structured fields of a log event; values should be JSON-serialisable. */
export type LogFields = Readonly<Record<string, unknown>>;

/**
 * The logging and tracing port. Events are structured: a short stable name (`"election.won"`) and
 * fields, never a formatted sentence, so the simulation can record them for checkers and replays and
 * a real logger can print them as JSON lines. Logging never throws and never blocks.
 */
export interface Logger {
  /** Detail useful when debugging a run. */
  debug(event: string, fields?: LogFields): void;
  /** A normal, notable event. */
  info(event: string, fields?: LogFields): void;
  /** Something unexpected that the node handled. */
  warn(event: string, fields?: LogFields): void;
  /** A failure an operator should look at. */
  error(event: string, fields?: LogFields): void;
  /** A logger that adds `fields` to every event it logs (e.g. `{ node: "athens" }`). */
  child(fields: LogFields): Logger;
}

/** A logger that drops everything: the default wherever a logger is optional. */
export const noopLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => noopLogger,
};
