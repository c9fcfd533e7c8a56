import { parse, resolve } from "node:path";
import {
  InvalidArgumentError,
  logLevels,
  type Env,
  type LogFields,
  type Logger,
  type LogLevel,
} from "@pods/core-interfaces";
import { systemClock } from "./clock.ts";
import { createCryptoRandom } from "./crypto-random.ts";
import { makeDirectories } from "./directory-sync.ts";
import { createFsDisk } from "./fs-disk.ts";
import { nodeFsSystem } from "./fs-system.ts";
import { toIOError } from "./io-error.ts";
import { createJsonLogger } from "./json-logger.ts";
import { createTimerScheduler } from "./timer-scheduler.ts";

/** Options of {@link createNodeEnv}. */
export interface NodeEnvOptions {
  /**
   * The node's data directory: the root of `env.disk`. Created (with missing parents, durably)
   * when missing; relative paths are resolved against the working directory.
   */
  readonly dataDir: string;
  /**
   * The least severe level the built-in JSON logger (one line per event on stderr) prints.
   * Default `"info"`. Not allowed together with `logger`: set the level on your own logger.
   */
  readonly logLevel?: LogLevel;
  /** A logger to use instead of the built-in JSON logger on stderr. */
  readonly logger?: Logger;
  /** Fields added to every event of the logger, e.g. `{ node: "athens" }`. Default none. */
  readonly logFields?: LogFields;
}

/**
 * The real `Env` of a node on Node.js: the system clock, a timer scheduler (timers keep the
 * process alive), crypto-seeded random, a durable fs disk rooted at `dataDir`, and a JSON logger
 * on stderr (or `logger`).
 *
 * @example
 * ```ts
 * const env = await createNodeEnv({ dataDir: "./data/athens", logFields: { node: "athens" } });
 * ```
 * @throws `InvalidArgumentError` for bad options.
 * @throws `IOError` when the data directory cannot be created.
 */
export async function createNodeEnv(options: NodeEnvOptions): Promise<Env> {
  if (typeof options !== "object" || options === null) {
    throw new InvalidArgumentError("createNodeEnv needs an options object: { dataDir }.");
  }
  const { dataDir, logLevel, logger, logFields } = options;
  if (typeof dataDir !== "string" || dataDir === "" || dataDir.includes("\0")) {
    throw new InvalidArgumentError(
      `createNodeEnv: dataDir must be a non-empty directory path, got ${JSON.stringify(dataDir)}.`,
    );
  }
  if (logLevel !== undefined && !logLevels.includes(logLevel)) {
    throw new InvalidArgumentError(
      `createNodeEnv: logLevel must be one of ${logLevels.join(", ")}, got ${String(logLevel)}.`,
    );
  }
  if (logger !== undefined && logLevel !== undefined) {
    throw new InvalidArgumentError(
      "createNodeEnv: logLevel configures the built-in logger; with your own logger, set the level on it and leave logLevel out.",
    );
  }
  if (logger !== undefined && !isLogger(logger)) {
    throw new InvalidArgumentError(
      "createNodeEnv: logger must implement Logger (debug, info, warn, error and child).",
    );
  }
  if (logFields !== undefined && (typeof logFields !== "object" || logFields === null)) {
    throw new InvalidArgumentError("createNodeEnv: logFields must be an object of field values.");
  }

  const root = resolve(dataDir);
  try {
    await makeDirectories(nodeFsSystem, root, parse(root).root);
  } catch (error) {
    throw toIOError("create data directory", root, error);
  }

  const baseLogger = logger ?? createJsonLogger({ level: logLevel ?? "info" });
  return {
    clock: systemClock,
    scheduler: createTimerScheduler(),
    random: createCryptoRandom(),
    disk: createFsDisk(root),
    logger: logFields === undefined ? baseLogger : baseLogger.child(logFields),
  };
}

function isLogger(value: unknown): value is Logger {
  const candidate = value as Partial<Record<keyof Logger, unknown>> | null;
  return (
    typeof candidate === "object" &&
    candidate !== null &&
    (["debug", "info", "warn", "error", "child"] as const).every(
      (method) => typeof candidate[method] === "function",
    )
  );
}
