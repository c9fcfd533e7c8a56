import type { Disk } from "@pods/core-interfaces";
import { assertGeneration } from "./fencing.ts";
import { RecordFile, type RecordFormat } from "./record-file.ts";

/** Options of {@link nextRestartGeneration}. */
export interface RestartGenerationOptions {
  /** The node's disk. */
  readonly disk: Disk;
  /** The counter's file. Default `"generation-clock/restarts"`. */
  readonly path?: string;
}

/** The default file of the restart counter. */
export const defaultRestartPath = "generation-clock/restarts";

const restartFormat: RecordFormat<number> = {
  magic: "PGCR",
  description: "the restart generation counter",
  repairAdvice:
    "write a number above every restart generation this node has announced — deleting it would " +
    "let peers mistake this process for one of its predecessors",
  validate(value) {
    assertGeneration(value as number, "restart generation");
    return value as number;
  },
};

/**
 * Counts this process's start: reads the counter the previous process left, adds one, makes it
 * durable, and returns it (1 on the first start). Call it once per process start, before talking
 * to peers, and announce the number with the node id, so peers tell a restarted process (which
 * forgot its in-memory state) from its predecessor: gossip versions, a leaderless store's writer
 * id (`"athens:3"`).
 *
 * @throws `CorruptionError` for a damaged counter file; `IOError` when the disk fails.
 */
export async function nextRestartGeneration(options: RestartGenerationOptions): Promise<number> {
  const file = await RecordFile.open(
    options.disk,
    options.path ?? defaultRestartPath,
    restartFormat,
  );
  const next = (file.value ?? 0) + 1;
  await file.save(next);
  return next;
}
