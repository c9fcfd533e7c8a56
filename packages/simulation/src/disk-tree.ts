import { IOError, parentDiskPath, type OpenOptions } from "@pods/core-interfaces";
import { Inode } from "./disk-image.ts";

type Entry = { readonly kind: "dir" } | { readonly kind: "file"; readonly inode: Inode };

/**
 * A disk's directory tree: paths to directories and files (inodes). Every change is immediate,
 * which is what makes directory operations durable when they complete. @internal
 */
export class DirectoryTree {
  readonly #entries = new Map<string, Entry>();
  readonly #trace: (line: string) => void;

  /** @param trace - receives a line for every created, removed and renamed file. */
  constructor(trace: (line: string) => void) {
    this.#trace = trace;
  }

  /** The inode of the file at `path`, if there is one. */
  file(path: string): Inode | undefined {
    const entry = this.#entries.get(path);
    return entry?.kind === "file" ? entry.inode : undefined;
  }

  /** Every file, as [path, inode], in creation order. */
  files(): [string, Inode][] {
    const files: [string, Inode][] = [];
    for (const [path, entry] of this.#entries) {
      if (entry.kind === "file") files.push([path, entry.inode]);
    }
    return files;
  }

  exists(path: string): boolean {
    return this.#entries.has(path);
  }

  #isDir(path: string): boolean {
    return path === "" || this.#entries.get(path)?.kind === "dir";
  }

  #assertParentDir(operation: string, path: string): void {
    const parent = parentDiskPath(path);
    if (this.#isDir(parent)) return;
    const failure = this.#entries.has(parent) ? "failed" : "not-found";
    throw new IOError(operation, path, failure, `directory "${parent}" does not exist`);
  }

  open(path: string, options: OpenOptions): Inode {
    const entry = this.#entries.get(path);
    if (entry?.kind === "dir") throw new IOError("open", path, "failed", "it is a directory");
    if (entry !== undefined) {
      if (options.create === true && options.exclusive === true) {
        throw new IOError("open", path, "exists");
      }
      return entry.inode;
    }
    if (options.create !== true) throw new IOError("open", path, "not-found");
    this.#assertParentDir("open", path);
    const inode = new Inode();
    this.#entries.set(path, { kind: "file", inode });
    this.#trace(`create ${path}`);
    return inode;
  }

  list(dir: string): string[] {
    if (!this.#isDir(dir)) {
      throw new IOError("list", dir, this.#entries.has(dir) ? "failed" : "not-found");
    }
    const prefix = dir === "" ? "" : `${dir}/`;
    const names: string[] = [];
    for (const path of this.#entries.keys()) {
      if (path.startsWith(prefix) && parentDiskPath(path) === dir)
        names.push(path.slice(prefix.length));
    }
    return names.sort();
  }

  mkdir(dir: string): void {
    const segments = dir === "" ? [] : dir.split("/");
    for (let end = 1; end <= segments.length; end++) {
      const path = segments.slice(0, end).join("/");
      const entry = this.#entries.get(path);
      if (entry?.kind === "file") throw new IOError("mkdir", dir, "failed", `${path} is a file`);
      if (entry === undefined) this.#entries.set(path, { kind: "dir" });
    }
  }

  remove(path: string): void {
    const entry = this.#entries.get(path);
    if (entry === undefined) return;
    if (entry.kind === "dir") {
      throw new IOError("remove", path, "failed", "it is a directory; remove() removes files");
    }
    this.#entries.delete(path);
    this.#trace(`remove ${path}`);
  }

  rename(from: string, to: string): void {
    const source = this.#entries.get(from);
    if (source === undefined) throw new IOError("rename", from, "not-found");
    if (source.kind === "dir") throw new IOError("rename", from, "failed", "it is a directory");
    if (from === to) return;
    if (this.#entries.get(to)?.kind === "dir") {
      throw new IOError("rename", to, "failed", "the target is a directory");
    }
    this.#assertParentDir("rename", to);
    this.#entries.delete(from);
    this.#entries.set(to, source);
    this.#trace(`rename ${from} ${to}`);
  }
}
