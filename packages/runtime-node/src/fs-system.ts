import { constants } from "node:fs";
import * as fsp from "node:fs/promises";

/** The calls the fs disk makes on an open file: a subset of `node:fs/promises` `FileHandle`. */
export interface FsHandle {
  /** `pread`: reads up to `length` bytes at `position` into `buffer` at `offset`. */
  read(
    buffer: Uint8Array,
    offset: number,
    length: number,
    position: number,
  ): Promise<{ bytesRead: number }>;
  /** `pwrite`: writes up to `length` bytes of `buffer` from `offset`, at `position`. */
  write(
    buffer: Uint8Array,
    offset: number,
    length: number,
    position: number,
  ): Promise<{ bytesWritten: number }>;
  /** `fdatasync`. */
  datasync(): Promise<void>;
  /** `fsync`. */
  sync(): Promise<void>;
  /** `ftruncate`. */
  truncate(length: number): Promise<void>;
  /** `fstat`. */
  stat(): Promise<{ size: number }>;
  /** `close`. */
  close(): Promise<void>;
}

/**
 * The file system calls the fs disk makes, by absolute path: `node:fs/promises` in production, a
 * recording wrapper in the durability tests.
 */
export interface FsSystem {
  /** `open(2)` with numeric flags. */
  open(path: string, flags: number): Promise<FsHandle>;
  /** `mkdir(2)`: one directory, not its parents. */
  mkdir(path: string): Promise<unknown>;
  /** `rename(2)`. */
  rename(from: string, to: string): Promise<void>;
  /** `unlink(2)`. */
  unlink(path: string): Promise<void>;
  /** The names in a directory. */
  readdir(path: string): Promise<string[]>;
  /** `stat(2)`. */
  stat(path: string): Promise<{ isDirectory(): boolean }>;
}

/** `node:fs/promises`. */
export const nodeFsSystem: FsSystem = {
  open: (path, flags) => fsp.open(path, flags),
  mkdir: (path) => fsp.mkdir(path),
  rename: (from, to) => fsp.rename(from, to),
  unlink: (path) => fsp.unlink(path),
  readdir: (path) => fsp.readdir(path),
  stat: (path) => fsp.stat(path),
};

/** Open flags used by the disk. */
export const openFlags = {
  /** An existing file, for reading and writing. */
  existing: constants.O_RDWR,
  /** A new file, failing with EEXIST when one exists. */
  created: constants.O_RDWR | constants.O_CREAT | constants.O_EXCL,
  /** A directory, to fsync it. */
  directory: constants.O_RDONLY | constants.O_DIRECTORY,
};

/** The `code` of a Node system error (`"ENOENT"`), if `error` is one. */
export function errnoCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}
