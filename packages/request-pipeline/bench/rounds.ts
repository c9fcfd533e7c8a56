// Measuring helpers of the benchmark: a subject and its baseline in alternating rounds after a
// warm-up, reported as medians with their spread and the CPU time each request cost; and a check
// that the built JavaScript being measured is not older than its sources.
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { opsPerSecond, round, type BenchResult } from "../../../bench-kit.js";

/** One side of a comparison: does some requests and returns how many. */
export interface Side {
  readonly name: string;
  readonly work: () => Promise<number>;
}

/** CPU microseconds used so far, by each process taking part (same keys every call). */
export type CpuReader = () => Promise<Record<string, number>>;

export interface RoundsOptions {
  readonly name: string;
  readonly subject: Side;
  readonly baseline: Side;
  /** Reads the CPU time of the processes involved, for the subject's CPU cost per request. */
  readonly cpu: CpuReader;
  readonly rounds: number;
  readonly roundMs: number;
  readonly warmupMs: number;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

function spread(values: readonly number[], digits = 1): [number, number] {
  return [round(Math.min(...values), digits), round(Math.max(...values), digits)];
}

/**
 * Warms both sides up, then measures them in alternating rounds (subject, baseline, subject, ...)
 * so that the machine's noise hits both alike. Reports the medians, their ratio, the range of each
 * and of the per-round ratios, and the CPU time per request of the subject in each process.
 */
export async function compareInRounds(options: RoundsOptions): Promise<BenchResult> {
  const { subject, baseline, cpu, rounds, roundMs, warmupMs } = options;
  await opsPerSecond(subject.work, warmupMs);
  await opsPerSecond(baseline.work, warmupMs);
  const subjectRates: number[] = [];
  const baselineRates: number[] = [];
  const cpuUs: Record<string, number> = {};
  let subjectRequests = 0;
  for (let index = 0; index < rounds; index++) {
    const before = await cpu();
    let requests = 0;
    const counted = async (): Promise<number> => {
      const done = await subject.work();
      requests += done;
      return done;
    };
    subjectRates.push(await opsPerSecond(counted, roundMs));
    const after = await cpu();
    for (const [process, us] of Object.entries(after)) {
      cpuUs[process] = (cpuUs[process] ?? 0) + us - (before[process] ?? 0);
    }
    subjectRequests += requests;
    baselineRates.push(await opsPerSecond(baseline.work, roundMs));
  }
  const value = median(subjectRates);
  const baselineValue = median(baselineRates);
  const ratios = subjectRates.map((rate, index) => rate / (baselineRates[index] as number));
  return {
    name: options.name,
    value: round(value),
    unit: "ops/s",
    baseline: { name: baseline.name, value: round(baselineValue) },
    ratio: round(value / baselineValue, 3),
    rounds,
    spread: {
      value: spread(subjectRates),
      baseline: spread(baselineRates),
      ratio: spread(ratios, 3),
    },
    cpuUsPerRequest: Object.fromEntries(
      Object.entries(cpuUs).map(([process, us]) => [process, round(us / subjectRequests, 2)]),
    ),
  };
}

/** The CPU time of this process so far, in microseconds. */
export function processCpuUs(): number {
  const { user, system } = process.cpuUsage();
  return user + system;
}

function newestSourceMs(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSourceMs(path));
    else if (!entry.name.endsWith(".test.ts")) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * The benchmark measures the shipped code, `dist/`: fails when a package's build is missing or
 * older than its sources (`pnpm bench` at the root builds first).
 */
export function assertBuilt(packageFolders: readonly string[]): void {
  const packages = fileURLToPath(new URL("../../", import.meta.url));
  for (const folder of packageFolders) {
    const built = join(packages, folder, "dist", "index.js");
    let builtMs: number;
    try {
      builtMs = statSync(built).mtimeMs;
    } catch {
      builtMs = 0;
    }
    if (builtMs < newestSourceMs(join(packages, folder, "src"))) {
      throw new Error(
        `${built} is missing or older than the sources of ${folder}: the benchmark measures the ` +
          "built code, so build first (`pnpm bench` at the repository root does, or " +
          "`pnpm turbo run build --filter=@pods/request-pipeline...`).",
      );
    }
  }
}
