import { PodsError, type PodsErrorOptions } from "@pods/core-interfaces";

/** Where a simulation stood when something went wrong: what a failure report needs. */
export interface SimulationReport {
  /** The run's seed: `PODS_SEED=<seed>` replays it. */
  readonly seed: number;
  /** Virtual time, in milliseconds. */
  readonly timeMs: number;
  /** The running hash of the trace so far. */
  readonly traceHash: string;
  /** The latest trace lines, oldest first. */
  readonly traceTail: readonly string[];
}

/** Formats a report as the lines appended to failure messages. */
export function formatReport(report: SimulationReport): string {
  const tail =
    report.traceTail.length === 0
      ? "  (no trace lines)"
      : report.traceTail.map((line) => `  ${line}`).join("\n");
  return (
    `seed ${report.seed}, virtual time ${report.timeMs.toFixed(3)} ms, trace hash ` +
    `${report.traceHash}; replay with PODS_SEED=${report.seed}.\nLast trace lines:\n${tail}`
  );
}

/**
 * A simulated run failed: a task, timer or message handler threw, an invariant or check did not
 * hold, or a condition was not reached in time. The message names the seed (to replay the run
 * with `PODS_SEED`), the virtual time, and the last trace lines; `cause` is the original error.
 */
export class SimulationError extends PodsError {
  /** `"SIMULATION"`: the stable, machine-readable name of this failure. */
  readonly code = "SIMULATION";
  /** The run's seed. */
  readonly seed: number;
  /** Virtual time of the failure, in milliseconds. */
  readonly timeMs: number;
  /** The latest trace lines at the failure, oldest first. */
  readonly traceTail: readonly string[];

  /**
   * @param problem - what went wrong, e.g. `task "client 1" failed: ...`.
   * @param report - where the run stood.
   * @param options - the underlying error as `cause`.
   */
  constructor(problem: string, report: SimulationReport, options?: PodsErrorOptions) {
    super(`${problem}\n${formatReport(report)}`, "definite", options);
    this.seed = report.seed;
    this.timeMs = report.timeMs;
    this.traceTail = report.traceTail;
  }
}
