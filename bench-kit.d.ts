/** One chunk of benchmark work: does some operations and returns how many. */
export type BenchWork = () => number | Promise<number>;

/** A named piece of work to measure. */
export interface BenchSubject {
  readonly name: string;
  readonly work: BenchWork;
}

/** One line of a `.bench/<package>.json` report. */
export interface BenchResult {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  readonly baseline?: { readonly name: string; readonly value: number };
  readonly ratio?: number;
  readonly [extra: string]: unknown;
}

/** Runs `work` for about `durationMs`; returns operations per second. */
export function opsPerSecond(work: BenchWork, durationMs: number): Promise<number>;

/** Measures subject against baseline in alternating rounds; ratio = subject / baseline. */
export function compareThroughput(options: {
  name: string;
  subject: { readonly work: BenchWork };
  baseline: BenchSubject;
  rounds?: number;
  roundMs?: number;
  warmupMs?: number;
}): Promise<BenchResult>;

/** Rounds to `digits` decimals. */
export function round(value: number, digits?: number): number;

/** Writes `.bench/<folder>.json` and prints the results. */
export function writeBenchReport(
  folder: string,
  packageName: string,
  results: readonly BenchResult[],
): { package: string; node: string; date: string; results: readonly BenchResult[] };
