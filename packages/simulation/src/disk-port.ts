import {
  assertDiskPath,
  ClosedError,
  InvalidArgumentError,
  type Disk,
  type DiskFile,
  type OpenOptions,
} from "@pods/core-interfaces";
import type { FileChange, Inode } from "./disk-image.ts";
import type { DirectoryTree } from "./disk-tree.ts";
import type { Incarnation } from "./incarnation.ts";

/** A disk operation, as named by {@link SimDisk.failNext} and in errors. */
export type DiskOperation =
  | "open"
  | "list"
  | "mkdir"
  | "remove"
  | "rename"
  | "exists"
  | "size"
  | "read"
  | "write"
  | "truncate"
  | "sync";

/** What the disk ports of a node's incarnations need from its `SimDisk`. @internal */
export interface DiskDevice {
  /**
   * Completes `effect` after the operation's latency, unless a fault fails it; settles the
   * promise as `incarnation` (never, if it crashed meanwhile).
   */
  submit<T>(
    incarnation: Incarnation,
    operation: DiskOperation,
    path: string,
    effect: () => T,
  ): Promise<T>;
  readonly tree: DirectoryTree;
  change(path: string, inode: Inode, change: FileChange): void;
  read(inode: Inode, offset: number, length: number): Uint8Array;
  sync(path: string, inode: Inode, calledAtMs: number, throughSeq: number): void;
  readonly nowMs: number;
}

/** Runs `start`, turning a synchronous throw (a bad argument) into a rejection. */
function attempt<T>(start: () => Promise<T>): Promise<T> {
  return new Promise<T>((resolve) => {
    resolve(start());
  });
}

/** A promise that never settles: what a crashed process's operations return. */
function never<T>(): Promise<T> {
  return new Promise<T>(() => undefined);
}

function assertByteCount(value: number, what: string): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new InvalidArgumentError(`${what} must be a safe integer >= 0, got ${value}.`);
  }
}

/** One open file of one incarnation. */
class SimDiskFile implements DiskFile {
  readonly path: string;
  readonly #device: DiskDevice;
  readonly #incarnation: Incarnation;
  readonly #inode: Inode;
  #closed = false;

  constructor(device: DiskDevice, incarnation: Incarnation, path: string, inode: Inode) {
    this.#device = device;
    this.#incarnation = incarnation;
    this.path = path;
    this.#inode = inode;
  }

  size(): Promise<number> {
    return this.#run("size", () => () => this.#inode.current.size);
  }

  read(offset: number, length: number): Promise<Uint8Array> {
    return this.#run("read", () => {
      assertByteCount(offset, "offset");
      assertByteCount(length, "length");
      return () => this.#device.read(this.#inode, offset, length);
    });
  }

  write(offset: number, data: Uint8Array): Promise<void> {
    return this.#run("write", () => {
      assertByteCount(offset, "offset");
      if (!(data instanceof Uint8Array)) {
        throw new InvalidArgumentError("write() needs the data as a Uint8Array.");
      }
      assertByteCount(offset + data.length, "offset + data.length");
      const change: FileChange = { kind: "write", offset, data: data.slice() };
      return () => {
        this.#device.change(this.path, this.#inode, change);
      };
    });
  }

  truncate(size: number): Promise<void> {
    return this.#run("truncate", () => {
      assertByteCount(size, "size");
      return () => {
        this.#device.change(this.path, this.#inode, { kind: "truncate", size });
      };
    });
  }

  sync(): Promise<void> {
    return this.#run("sync", () => {
      const calledAtMs = this.#device.nowMs;
      const throughSeq = this.#inode.lastSeq;
      return () => {
        this.#device.sync(this.path, this.#inode, calledAtMs, throughSeq);
      };
    });
  }

  close(): Promise<void> {
    if (!this.#incarnation.alive) return never();
    this.#closed = true;
    return Promise.resolve();
  }

  /** Checks the call now (crashed, closed, bad arguments), then completes on the device. */
  #run<T>(operation: DiskOperation, prepare: () => () => T): Promise<T> {
    if (!this.#incarnation.alive) return never();
    return attempt(() => {
      if (this.#closed) throw new ClosedError(`file ${this.path}`);
      const effect = prepare();
      return this.#device.submit(this.#incarnation, operation, this.path, effect);
    });
  }
}

/**
 * The `Disk` port one incarnation of a node sees. Once the incarnation crashed, its operations —
 * and those of the files it opened — never settle.
 *
 * @internal
 */
export class SimDiskPort implements Disk {
  readonly #device: DiskDevice;
  readonly #incarnation: Incarnation;

  constructor(device: DiskDevice, incarnation: Incarnation) {
    this.#device = device;
    this.#incarnation = incarnation;
  }

  open(path: string, options: OpenOptions = {}): Promise<DiskFile> {
    const check = (): void => {
      if (options.exclusive === true && options.create !== true) {
        throw new InvalidArgumentError(
          `open(${JSON.stringify(path)}) with exclusive needs create: true as well.`,
        );
      }
    };
    const effect = (): DiskFile => {
      const inode = this.#device.tree.open(path, options);
      return new SimDiskFile(this.#device, this.#incarnation, path, inode);
    };
    return this.#run("open", path, false, effect, check);
  }

  list(dir: string): Promise<string[]> {
    return this.#run("list", dir, true, () => this.#device.tree.list(dir));
  }

  mkdir(dir: string): Promise<void> {
    return this.#run("mkdir", dir, true, () => {
      this.#device.tree.mkdir(dir);
    });
  }

  remove(path: string): Promise<void> {
    return this.#run("remove", path, false, () => {
      this.#device.tree.remove(path);
    });
  }

  rename(from: string, to: string): Promise<void> {
    const effect = (): void => {
      this.#device.tree.rename(from, to);
    };
    return this.#run("rename", from, false, effect, () => {
      assertDiskPath(to);
    });
  }

  exists(path: string): Promise<boolean> {
    return this.#run("exists", path, false, () => this.#device.tree.exists(path));
  }

  #run<T>(
    operation: DiskOperation,
    path: string,
    allowRoot: boolean,
    effect: () => T,
    check?: () => void,
  ): Promise<T> {
    if (!this.#incarnation.alive) return never();
    return attempt(() => {
      assertDiskPath(path, allowRoot);
      check?.();
      return this.#device.submit(this.#incarnation, operation, path, effect);
    });
  }
}
