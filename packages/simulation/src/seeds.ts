import { relative } from "node:path";
import { fileURLToPath } from "node:url";
import { InvalidArgumentError, PodsError } from "@pods/core-interfaces";

/** The most seeds `PODS_SEEDS` may ask for. */
export const seedCountMax = 1_000_000;

/** Options of {@link seedsFromEnv}. */
export interface SeedsFromEnvOptions {
  /** How many seeds to run when neither `PODS_SEED` nor `PODS_SEEDS` is set (the CI set). */
  readonly defaultCount: number;
  /** The first seed; the others follow consecutively. Default 1. */
  readonly firstSeed?: number;
  /** Where to read the variables. Default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

function parseCount(name: string, text: string, minimum: number, maximum: number): number {
  const value = /^\d+$/.test(text.trim()) ? Number(text.trim()) : NaN;
  if (!Number.isSafeInteger(value) || value < minimum || value > maximum) {
    throw new InvalidArgumentError(
      `${name}=${JSON.stringify(text)} is not valid: use an integer from ${minimum} to ${maximum}.`,
    );
  }
  return value;
}

/**
 * The seeds a scenario test runs: `PODS_SEED=<n>` → just `[n]` (replay one run);
 * `PODS_SEEDS=<k>` → `k` seeds; otherwise `defaultCount` seeds. Seeds are consecutive from
 * `firstSeed`, so a larger run includes the CI seeds.
 *
 * @throws `InvalidArgumentError` for malformed variables or options.
 */
export function seedsFromEnv(options: SeedsFromEnvOptions): number[] {
  const env = options.env ?? process.env;
  const firstSeed = options.firstSeed ?? 1;
  if (!Number.isSafeInteger(firstSeed) || firstSeed < 0) {
    throw new InvalidArgumentError(`firstSeed must be a safe integer >= 0, got ${firstSeed}.`);
  }
  if (!Number.isSafeInteger(options.defaultCount) || options.defaultCount < 1) {
    throw new InvalidArgumentError(
      `defaultCount must be an integer >= 1, got ${options.defaultCount}.`,
    );
  }
  const single = env["PODS_SEED"];
  if (single !== undefined && single !== "") {
    return [parseCount("PODS_SEED", single, 0, Number.MAX_SAFE_INTEGER)];
  }
  const many = env["PODS_SEEDS"];
  const count =
    many !== undefined && many !== ""
      ? parseCount("PODS_SEEDS", many, 1, seedCountMax)
      : options.defaultCount;
  if (firstSeed + count - 1 > Number.MAX_SAFE_INTEGER) {
    throw new InvalidArgumentError(
      `firstSeed ${firstSeed} + ${count} seeds exceeds safe integers.`,
    );
  }
  return Array.from({ length: count }, (_, index) => firstSeed + index);
}

/** Options of {@link runSeeds}. */
export interface RunSeedsOptions {
  /**
   * The test file, for the replay command: a path or a `file:` URL (pass `import.meta.url`).
   * Shown relative to the working directory.
   */
  readonly file?: string | URL;
}

/** A seed of {@link runSeeds} failed; the message starts with the seed and the replay command. */
export class SeedFailedError extends PodsError {
  /** `"SEED_FAILED"`: the stable, machine-readable name of this failure. */
  readonly code = "SEED_FAILED";
  /** The seed that failed. */
  readonly seed: number;
  /** The shell command that replays it. */
  readonly replayCommand: string;

  /**
   * @param seed - the failed seed.
   * @param replayCommand - how to replay it.
   * @param cause - what failed.
   */
  constructor(seed: number, replayCommand: string, cause: unknown) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    super(`seed ${seed} failed — replay with ${replayCommand}\n${detail}`, "definite", { cause });
    this.seed = seed;
    this.replayCommand = replayCommand;
  }
}

function displayFile(file: string | URL): string {
  const path = file instanceof URL || file.startsWith("file:") ? fileURLToPath(file) : file;
  return relative(process.cwd(), path) || path;
}

/**
 * Runs `run` for each seed in turn and stops at the first failure, throwing a
 * {@link SeedFailedError} whose message starts with
 * `seed 1234 failed — replay with PODS_SEED=1234 pnpm exec vitest run <file>`, followed by the
 * cause (a {@link SimulationError} adds the virtual time and the last trace lines).
 */
export async function runSeeds(
  seeds: readonly number[],
  run: (seed: number) => Promise<void>,
  options: RunSeedsOptions = {},
): Promise<void> {
  for (const seed of seeds) {
    try {
      await run(seed);
    } catch (error) {
      const file = options.file === undefined ? "" : ` ${displayFile(options.file)}`;
      throw new SeedFailedError(seed, `PODS_SEED=${seed} pnpm exec vitest run${file}`, error);
    }
  }
}
