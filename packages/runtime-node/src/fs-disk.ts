import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import {
  assertDiskPath,
  InvalidArgumentError,
  type Disk,
  type DiskFile,
  type OpenOptions,
} from "@pods/core-interfaces";
import { isChanging, makeDirectories, syncDirectory, withEntryChange } from "./directory-sync.ts";
import { FsDiskFile } from "./fs-disk-file.ts";
import { errnoCode, nodeFsSystem, openFlags, type FsHandle, type FsSystem } from "./fs-system.ts";
import { toIOError } from "./io-error.ts";

/**
 * A durable `Disk` on the local file system, rooted at directory `rootDir` (resolved against
 * the working directory; it must exist before files are opened in it, see `createNodeEnv`).
 *
 * Every call keeps the port's durability contract with real system calls: `DiskFile.sync()` is
 * `fdatasync` (`F_FULLFSYNC` on macOS, through libuv); a file created by `open({ create: true })`,
 * each directory created by `mkdir`, a `rename` and a `remove` fsync the directories whose entries
 * changed before they resolve. Paths are checked with `assertDiskPath` and cannot leave the root
 * (symbolic links placed inside the root by someone else are followed, as the OS does).
 *
 * @throws `InvalidArgumentError` when `rootDir` is not a non-empty path.
 */
export function createFsDisk(rootDir: string): Disk {
  return new FsDisk(rootDir, nodeFsSystem);
}

/** How often `open({ create: true })` retries when the file keeps appearing and disappearing. */
const createAttemptsMax = 3;

/** The disk behind {@link createFsDisk}, on any {@link FsSystem}. */
export class FsDisk implements Disk {
  readonly #root: string;
  readonly #system: FsSystem;

  /**
   * @param rootDir - the directory the disk's paths are relative to.
   * @param system - the file system calls to use.
   */
  constructor(rootDir: string, system: FsSystem) {
    if (typeof rootDir !== "string" || rootDir === "" || rootDir.includes("\0")) {
      throw new InvalidArgumentError(
        `The disk's root directory must be a non-empty path without NUL, got ${JSON.stringify(rootDir)}.`,
      );
    }
    this.#root = resolve(rootDir);
    this.#system = system;
  }

  async open(path: string, options: OpenOptions = {}): Promise<DiskFile> {
    const absolute = this.#resolve(path);
    const { create = false, exclusive = false } = options;
    if (typeof create !== "boolean" || typeof exclusive !== "boolean") {
      throw new InvalidArgumentError(
        `open(${JSON.stringify(path)}): create and exclusive must be booleans.`,
      );
    }
    if (exclusive && !create) {
      throw new InvalidArgumentError(
        `open(${JSON.stringify(path)}): exclusive needs create: true; pass both or neither.`,
      );
    }
    try {
      return new FsDiskFile(path, await this.#openHandle(absolute, create, exclusive));
    } catch (error) {
      throw toIOError("open", path, error);
    }
  }

  async #openHandle(absolute: string, create: boolean, exclusive: boolean): Promise<FsHandle> {
    if (!create) return this.#system.open(absolute, openFlags.existing);
    const parent = dirname(absolute);
    for (let attempt = 1; ; attempt++) {
      if (!exclusive) {
        try {
          const handle = await this.#system.open(absolute, openFlags.existing);
          // Someone may have just created it; its directory fsync may still be running.
          if (isChanging(parent)) await this.#syncDirectoryOrClose(parent, handle);
          return handle;
        } catch (error) {
          if (errnoCode(error) !== "ENOENT") throw error;
        }
      }
      try {
        return await withEntryChange([parent], async () => {
          const handle = await this.#system.open(absolute, openFlags.created);
          await this.#syncDirectoryOrClose(parent, handle);
          return handle;
        });
      } catch (error) {
        // Created by someone else between our two opens: open the existing file.
        if (exclusive || errnoCode(error) !== "EEXIST" || attempt === createAttemptsMax)
          throw error;
      }
    }
  }

  async #syncDirectoryOrClose(dir: string, handle: FsHandle): Promise<void> {
    try {
      await syncDirectory(this.#system, dir);
    } catch (error) {
      await handle.close().catch(() => undefined);
      throw error;
    }
  }

  async list(dir: string): Promise<string[]> {
    const absolute = this.#resolve(dir, true);
    try {
      return (await this.#system.readdir(absolute)).sort();
    } catch (error) {
      throw toIOError("list", dir, error);
    }
  }

  async mkdir(dir: string): Promise<void> {
    const absolute = this.#resolve(dir);
    try {
      await makeDirectories(this.#system, absolute, this.#root);
    } catch (error) {
      throw toIOError("mkdir", dir, error);
    }
  }

  async remove(path: string): Promise<void> {
    const absolute = this.#resolve(path);
    const parent = dirname(absolute);
    try {
      await withEntryChange([parent], async () => {
        await this.#system.unlink(absolute);
        await syncDirectory(this.#system, parent);
      });
    } catch (error) {
      if (errnoCode(error) !== "ENOENT") throw toIOError("remove", path, error);
      try {
        // Already gone; if a concurrent remove is still syncing, wait for durability too.
        if (isChanging(parent)) await syncDirectory(this.#system, parent);
      } catch (syncError) {
        if (errnoCode(syncError) !== "ENOENT") throw toIOError("remove", path, syncError);
      }
    }
  }

  async rename(from: string, to: string): Promise<void> {
    const absoluteFrom = this.#resolve(from);
    const absoluteTo = this.#resolve(to);
    const dirs = [...new Set([dirname(absoluteTo), dirname(absoluteFrom)])];
    try {
      await withEntryChange(dirs, async () => {
        await this.#system.rename(absoluteFrom, absoluteTo);
        // The target's directory first, so the new name is durable as early as possible.
        for (const dir of dirs) await syncDirectory(this.#system, dir);
      });
    } catch (error) {
      throw toIOError("rename", from === to ? from : `${from} to ${to}`, error);
    }
  }

  async exists(path: string): Promise<boolean> {
    const absolute = this.#resolve(path);
    try {
      await this.#system.stat(absolute);
      return true;
    } catch (error) {
      const code = errnoCode(error);
      if (code === "ENOENT" || code === "ENOTDIR") return false;
      throw toIOError("exists", path, error);
    }
  }

  /** The absolute path of disk path `path`, checked to stay inside the root. */
  #resolve(path: string, allowRoot = false): string {
    assertDiskPath(path, allowRoot);
    const absolute = path === "" ? this.#root : join(this.#root, path);
    const inside = relative(this.#root, absolute);
    if (inside.startsWith(`..${sep}`) || inside === ".." || isAbsolute(inside)) {
      throw new InvalidArgumentError(
        `Disk path ${JSON.stringify(path)} resolves outside the disk's root ${this.#root}; use a path inside it.`,
      );
    }
    return absolute;
  }
}
