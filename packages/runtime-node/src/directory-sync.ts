import { dirname } from "node:path";
import { errnoCode, openFlags, type FsSystem } from "./fs-system.ts";

/**
 * Directories (absolute paths) with an entry change whose directory fsync has not finished yet,
 * counted per directory. Shared by every fs disk of the process, whatever its root.
 */
const changesInFlight = new Map<string, number>();

/**
 * Runs `change`, which adds or removes entries in `dirs` and then fsyncs them, while marking those
 * directories as changing. A concurrent call that finds its work already done (the file exists, the
 * directory exists) checks {@link isChanging} and, if so, syncs the directory itself before it
 * resolves: otherwise it could report durable an entry whose fsync is still running.
 */
export async function withEntryChange<T>(
  dirs: readonly string[],
  change: () => Promise<T>,
): Promise<T> {
  for (const dir of dirs) changesInFlight.set(dir, (changesInFlight.get(dir) ?? 0) + 1);
  try {
    return await change();
  } finally {
    for (const dir of dirs) {
      const count = (changesInFlight.get(dir) ?? 1) - 1;
      if (count === 0) changesInFlight.delete(dir);
      else changesInFlight.set(dir, count);
    }
  }
}

/** Whether an entry change in `dir` may not be durable yet. */
export function isChanging(dir: string): boolean {
  return changesInFlight.has(dir);
}

/** Makes the entries of directory `dir` durable: `open(O_DIRECTORY)`, `fsync`, `close`. */
export async function syncDirectory(system: FsSystem, dir: string): Promise<void> {
  const handle = await system.open(dir, openFlags.directory);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Creates directory `dir` (absolute) and its missing parents below `boundary`, which must exist,
 * fsyncing the parent of each directory created. Existing directories are left alone; a file in
 * the way fails with its `EEXIST` error, a missing `boundary` with `ENOENT`.
 */
export async function makeDirectories(
  system: FsSystem,
  dir: string,
  boundary: string,
): Promise<void> {
  const pending = [dir];
  for (;;) {
    const current = pending[pending.length - 1] as string;
    try {
      await makeDirectory(system, current);
      pending.pop();
      break;
    } catch (error) {
      const parent = dirname(current);
      if (errnoCode(error) !== "ENOENT" || parent === boundary || parent === current) throw error;
      pending.push(parent);
    }
  }
  for (let current = pending.pop(); current !== undefined; current = pending.pop()) {
    await makeDirectory(system, current);
  }
}

async function makeDirectory(system: FsSystem, dir: string): Promise<void> {
  const parent = dirname(dir);
  try {
    await withEntryChange([parent], async () => {
      await system.mkdir(dir);
      await syncDirectory(system, parent);
    });
  } catch (error) {
    if (errnoCode(error) !== "EEXIST") throw error;
    if (!(await system.stat(dir)).isDirectory()) throw error;
    if (isChanging(parent)) await syncDirectory(system, parent);
  }
}
