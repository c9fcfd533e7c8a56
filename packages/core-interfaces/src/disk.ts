import { InvalidArgumentError } from "./errors.ts";

/** Options of {@link Disk.open}. */
export interface OpenOptions {
  /** Create the file (empty) when it is missing. Default `false`. */
  readonly create?: boolean;
  /**
   * With `create`, fail with `IOError` (`failure: "exists"`) when the file exists. Default `false`.
   * `exclusive` without `create` is an `InvalidArgumentError`.
   */
  readonly exclusive?: boolean;
}

/**
 * The storage port: a directory tree of files, rooted at the node's data directory.
 *
 * Paths are relative and `/`-separated (`"wal/wal-00000000000000000001.log"`); see
 * {@link assertDiskPath}. `""` names the root directory in {@link Disk.list}.
 *
 * ## Durability contract
 *
 * - **File data** (writes and truncations) becomes durable only through {@link DiskFile.sync}:
 *   when `sync()` resolves, every write and truncation of that file whose promise resolved before
 *   `sync()` was called survives a crash. A crash may lose, keep, or tear (keep a sector-aligned
 *   part of) any later change; a lost extension reads back as absent or as zeros, never as other
 *   bytes.
 * - **Directory entries** — a file created by `open({ create: true })`, {@link Disk.mkdir},
 *   {@link Disk.rename} and {@link Disk.remove} — are durable when their promise resolves.
 * - {@link Disk.rename} is atomic: after a crash the target holds either its old file or the new one.
 * - Data written and not yet synced is visible to reads at once (as through a page cache).
 * - A failed `sync()` (`IOError`) leaves the durability of unsynced writes unknown: treat the file as
 *   damaged and recover from what is known durable (reopen, replay).
 *
 * Errors are `IOError`s: `failure: "not-found"` for a missing file or directory, `"exists"` for an
 * exclusive create of an existing file, `"failed"` for a device or system error. Bad paths are
 * `InvalidArgumentError`s.
 */
export interface Disk {
  /** Opens a file for reading and writing; see {@link OpenOptions}. */
  open(path: string, options?: OpenOptions): Promise<DiskFile>;
  /**
   * The names (not paths) of the files and directories in `dir`, sorted by UTF-16 code units.
   * `""` lists the root. A missing directory is an `IOError` with `failure: "not-found"`.
   */
  list(dir: string): Promise<string[]>;
  /** Creates `dir` and any missing parents; succeeds if it exists. Durable when it resolves. */
  mkdir(dir: string): Promise<void>;
  /**
   * Removes the file at `path`; succeeds if there is none (so recovery can repeat it). Durable when
   * it resolves. Handles to the file that are still open keep working on the removed file.
   * Directories cannot be removed through the port (`IOError` with `failure: "failed"`).
   */
  remove(path: string): Promise<void>;
  /**
   * Renames the file `from` to `to` atomically, replacing any file at `to`. Durable when it
   * resolves. A missing `from` is an `IOError` with `failure: "not-found"`.
   */
  rename(from: string, to: string): Promise<void>;
  /** Whether a file or directory exists at `path`. */
  exists(path: string): Promise<boolean>;
}

/**
 * An open file. Offsets and lengths are byte counts (safe integers ≥ 0). Operations may be issued
 * concurrently; writes to overlapping ranges issued without awaiting land in an unspecified order,
 * so a writer awaits its writes before relying on them, and before calling `sync()`.
 */
export interface DiskFile {
  /** The path the file was opened with. */
  readonly path: string;
  /** The current size in bytes (including unsynced writes). */
  size(): Promise<number>;
  /**
   * Reads up to `length` bytes at `offset`. Returns fewer bytes only when the file ends first (none
   * at or beyond the end). The returned array is the caller's.
   */
  read(offset: number, length: number): Promise<Uint8Array>;
  /**
   * Writes all of `data` at `offset`, extending the file if needed; a gap between the old end and
   * `offset` reads back as zeros. Writing no bytes changes nothing, wherever `offset` is. `data` may
   * be reused once the promise resolves. Not durable until {@link DiskFile.sync}.
   */
  write(offset: number, data: Uint8Array): Promise<void>;
  /** Cuts the file to `size` bytes, or extends it with zeros. Not durable until `sync()`. */
  truncate(size: number): Promise<void>;
  /**
   * The durability barrier: resolves once every write and truncation that resolved before this call
   * is on stable storage (`fdatasync` on Node).
   */
  sync(): Promise<void>;
  /**
   * Releases the handle without syncing. Idempotent. Other operations on a closed file reject with
   * `ClosedError`.
   */
  close(): Promise<void>;
}

/** The longest path accepted, in UTF-16 code units. */
export const diskPathLengthMax = 1024;

/**
 * Checks a path for a {@link Disk}: relative, `/`-separated, at most {@link diskPathLengthMax}
 * characters, with no empty, `.` or `..` segments, no backslash and no NUL. With `allowRoot`, `""`
 * (the root directory) is accepted too.
 *
 * @throws {@link InvalidArgumentError} naming the path and the rule it breaks.
 */
export function assertDiskPath(path: string, allowRoot = false): void {
  if (allowRoot && path === "") return;
  const problem =
    typeof path !== "string"
      ? "it is not a string"
      : path.length === 0
        ? "it is empty"
        : path.length > diskPathLengthMax
          ? `it is longer than ${diskPathLengthMax} characters`
          : path.startsWith("/")
            ? "it is absolute; paths are relative to the disk's root"
            : /[\\\0]/.test(path)
              ? "it contains a backslash or NUL character"
              : path
                    .split("/")
                    .some((segment) => segment === "" || segment === "." || segment === "..")
                ? "it has an empty, '.' or '..' segment"
                : undefined;
  if (problem !== undefined) {
    throw new InvalidArgumentError(`Disk path ${JSON.stringify(path)} is not valid: ${problem}.`);
  }
}

/** The directory part of a disk path: `"wal"` for `"wal/a.log"`, `""` for `"a.log"`. */
export function parentDiskPath(path: string): string {
  const slash = path.lastIndexOf("/");
  return slash < 0 ? "" : path.slice(0, slash);
}

/** Joins disk path parts with `/`, skipping empty parts: `joinDiskPath("", "wal", "a.log")`. */
export function joinDiskPath(...parts: string[]): string {
  return parts.filter((part) => part !== "").join("/");
}
