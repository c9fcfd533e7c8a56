import { InvalidArgumentError, IOError, type Disk } from "@pods/core-interfaces";
import type { CrashMode, FileChange, Inode } from "./disk-image.ts";
import { SimDiskPort, type DiskDevice, type DiskOperation } from "./disk-port.ts";
import {
  assertNonNegative,
  assertRate,
  type DiskErrorRates,
  type DiskStats,
  type RawFile,
  type SimDiskOptions,
  type SyncRecord,
} from "./disk-options.ts";
import { DirectoryTree } from "./disk-tree.ts";
import type { Incarnation } from "./incarnation.ts";
import type { SeededRandom } from "./seeded-random.ts";
import { asError, type World } from "./world.ts";

/**
 * A node's simulated disk: an in-memory directory tree with the durability of a real disk. It
 * belongs to the node and survives its restarts.
 *
 * Every operation completes through the simulation's event queue after a latency. File changes
 * (writes, truncations) are visible at once and durable only once a `sync()` called after they
 * completed finishes; directory changes are durable when they complete. On power loss
 * ({@link SimNode.crash}) the changes no sync covered are kept, lost or torn as `crashMode`
 * says. Faults: random error rates, {@link SimDisk.failNext}, and damage at rest
 * ({@link SimDisk.flipBit}, {@link SimDisk.corrupt}).
 */
export class SimDisk {
  readonly #world: World;
  readonly #name: string;
  readonly #random: SeededRandom;
  readonly #crashRandom: SeededRandom;
  readonly #latencyMs: Readonly<Record<"read" | "write" | "sync" | "metadata", number>>;
  readonly #jitter: number;
  readonly #crashMode: CrashMode;
  readonly #sectorBytes: number;
  readonly #syncLogEntriesMax: number;
  readonly #tree: DirectoryTree;
  readonly #failNext: { operation: DiskOperation; path: string | undefined }[] = [];
  readonly #device: DiskDevice;
  #rates: Required<DiskErrorRates>;
  #syncLog: SyncRecord[] = [];
  #stats = {
    reads: 0,
    bytesRead: 0,
    writes: 0,
    bytesWritten: 0,
    truncates: 0,
    syncs: 0,
    injectedFailures: 0,
  };

  /** @internal */
  constructor(world: World, nodeId: string, options: SimDiskOptions = {}) {
    this.#world = world;
    this.#name = nodeId;
    this.#random = world.random.fork(`disk/${nodeId}`);
    this.#crashRandom = world.random.fork(`disk/${nodeId}/crash`);
    this.#latencyMs = {
      read: options.readLatencyMs ?? 0.02,
      write: options.writeLatencyMs ?? 0.05,
      sync: options.syncLatencyMs ?? 1,
      metadata: options.metadataLatencyMs ?? 0.01,
    };
    for (const [kind, value] of Object.entries(this.#latencyMs)) {
      assertNonNegative(value, `${kind}LatencyMs`);
    }
    this.#jitter = options.latencyJitter ?? 0.5;
    assertNonNegative(this.#jitter, "latencyJitter");
    this.#crashMode = options.crashMode ?? "prefix";
    if (this.#crashMode !== "prefix" && this.#crashMode !== "any") {
      throw new InvalidArgumentError(
        `crashMode must be "prefix" or "any", got ${String(this.#crashMode)}.`,
      );
    }
    this.#sectorBytes = options.sectorBytes ?? 512;
    if (!Number.isSafeInteger(this.#sectorBytes) || this.#sectorBytes < 1) {
      throw new InvalidArgumentError(
        `sectorBytes must be an integer >= 1, got ${this.#sectorBytes}.`,
      );
    }
    this.#tree = new DirectoryTree((line) => {
      world.trace(`disk ${nodeId} ${line}`);
    });
    this.#syncLogEntriesMax = options.syncLogEntriesMax ?? 10_000;
    if (!Number.isSafeInteger(this.#syncLogEntriesMax) || this.#syncLogEntriesMax < 0) {
      throw new InvalidArgumentError(
        `syncLogEntriesMax must be an integer >= 0, got ${this.#syncLogEntriesMax}.`,
      );
    }
    this.#rates = { read: 0, write: 0, sync: 0 };
    this.setErrorRates({
      read: options.readErrorRate ?? 0,
      write: options.writeErrorRate ?? 0,
      sync: options.syncErrorRate ?? 0,
    });
    this.#device = this.#createDevice();
  }

  /** @internal The `Disk` port of one incarnation of the node. */
  attach(incarnation: Incarnation): Disk {
    return new SimDiskPort(this.#device, incarnation);
  }

  /** @internal Power loss: every file keeps its durable content plus what the crash mode decides. */
  loseUnsynced(): void {
    for (const [path, inode] of this.#tree.files()) {
      const outcome = inode.crash(this.#crashMode, this.#sectorBytes, this.#crashRandom);
      if (outcome !== undefined) this.#world.trace(`disk ${this.#name} crash ${path}: ${outcome}`);
    }
  }

  /** Changes the random failure probabilities given (the others stay). */
  setErrorRates(rates: DiskErrorRates): void {
    const next = { ...this.#rates, ...rates };
    assertRate(next.read, "read error rate");
    assertRate(next.write, "write error rate");
    assertRate(next.sync, "sync error rate");
    this.#rates = next;
  }

  /**
   * Makes the next `operation` (on `path`, if given: the path a file was opened with, or the source
   * of a rename) fail with `IOError` `"failed"` and no effect. Calls queue up.
   */
  failNext(operation: DiskOperation, path?: string): void {
    this.#failNext.push({ operation, path });
    this.#world.trace(`fault disk ${this.#name} fail-next ${operation} ${path ?? "*"}`);
  }

  /** Flips bit `bit` (0–7) of the byte at `offset` of the file at `path`, as bit rot would. */
  flipBit(path: string, offset: number, bit: number): void {
    if (!Number.isSafeInteger(bit) || bit < 0 || bit > 7) {
      throw new InvalidArgumentError(`bit must be an integer from 0 to 7, got ${bit}.`);
    }
    this.#damage(path, offset, 1, () => (byte) => byte ^ (1 << bit));
    this.#world.trace(`fault disk ${this.#name} flip-bit ${path} ${offset}:${bit}`);
  }

  /**
   * Overwrites the bytes at `offset` of the file at `path` with `bytes`, at rest: both the current
   * and the durable content change (where they reach), without any sync.
   */
  corrupt(path: string, offset: number, bytes: Uint8Array): void {
    this.#damage(path, offset, bytes.length, (index) => () => bytes[index] ?? 0);
    this.#world.trace(`fault disk ${this.#name} corrupt ${path} ${offset}+${bytes.length}`);
  }

  /** The current and durable bytes of the file at `path`. */
  readRaw(path: string): RawFile {
    const inode = this.#fileForTest(path);
    return {
      current: inode.current.snapshot(),
      durable: inode.durable.snapshot(),
      unsyncedChanges: inode.pendingCount,
    };
  }

  /** The paths of every file on the disk, sorted. */
  paths(): string[] {
    return this.#tree
      .files()
      .map(([path]) => path)
      .sort();
  }

  /** The latest successful syncs, oldest first (at most `syncLogEntriesMax`). */
  get syncLog(): readonly SyncRecord[] {
    return this.#syncLog;
  }

  /** A snapshot of the counters. */
  get stats(): DiskStats {
    return { ...this.#stats };
  }

  #fileForTest(path: string): Inode {
    const inode = this.#tree.file(path);
    if (inode === undefined) {
      throw new InvalidArgumentError(
        `no file at ${JSON.stringify(path)} on the disk of ${this.#name}.`,
      );
    }
    return inode;
  }

  #damage(
    path: string,
    offset: number,
    length: number,
    change: (index: number) => (byte: number) => number,
  ): void {
    const inode = this.#fileForTest(path);
    const size = Math.max(inode.current.size, inode.durable.size);
    if (!Number.isSafeInteger(offset) || offset < 0 || offset + length > size) {
      throw new InvalidArgumentError(
        `bytes ${offset}..${offset + length} are not inside ${path} (${size} bytes).`,
      );
    }
    for (let index = 0; index < length; index++) {
      inode.current.damage(offset + index, change(index));
      inode.durable.damage(offset + index, change(index));
    }
  }

  #latencyOf(operation: DiskOperation): number {
    const base =
      operation === "read"
        ? this.#latencyMs.read
        : operation === "write" || operation === "truncate"
          ? this.#latencyMs.write
          : operation === "sync"
            ? this.#latencyMs.sync
            : this.#latencyMs.metadata;
    return this.#jitter === 0 ? base : base * (1 + this.#jitter * this.#random.float());
  }

  #injectedFailure(operation: DiskOperation, path: string): string | undefined {
    const index = this.#failNext.findIndex(
      (entry) => entry.operation === operation && (entry.path === undefined || entry.path === path),
    );
    if (index >= 0) {
      this.#failNext.splice(index, 1);
      return "injected by failNext";
    }
    const rate =
      operation === "read"
        ? this.#rates.read
        : operation === "write" || operation === "truncate"
          ? this.#rates.write
          : operation === "sync"
            ? this.#rates.sync
            : 0;
    return this.#random.chance(rate) ? `injected by the ${operation} error rate` : undefined;
  }

  #submit<T>(
    incarnation: Incarnation,
    operation: DiskOperation,
    path: string,
    effect: () => T,
  ): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const dueMs = this.#world.nowMs + this.#latencyOf(operation);
      this.#world.schedule(dueMs, () => {
        // A process that crashed before its operation completed: no effect, no answer.
        if (!incarnation.alive) return;
        let settle: () => void;
        const failure = this.#injectedFailure(operation, path);
        if (failure !== undefined) {
          this.#stats.injectedFailures++;
          this.#world.trace(`disk ${this.#name} ${operation} ${path} failed (${failure})`);
          const error = new IOError(operation, path, "failed", failure);
          settle = () => {
            reject(error);
          };
        } else {
          try {
            const value = effect();
            settle = () => {
              resolve(value);
            };
          } catch (error) {
            this.#world.trace(`disk ${this.#name} ${operation} ${path} error`);
            settle = () => {
              reject(asError(error));
            };
          }
        }
        incarnation.deliver(`disk ${operation} of ${incarnation.label}`, settle);
      });
    });
  }

  #createDevice(): DiskDevice {
    const world = this.#world;
    return {
      submit: (incarnation, operation, path, effect) =>
        this.#submit(incarnation, operation, path, effect),
      tree: this.#tree,
      change: (path, inode, change) => {
        this.#change(path, inode, change);
      },
      read: (inode, offset, length) => {
        const data = inode.current.read(offset, length);
        this.#stats.reads++;
        this.#stats.bytesRead += data.length;
        return data;
      },
      sync: (path, inode, calledAtMs, throughSeq) => {
        this.#sync(path, inode, calledAtMs, throughSeq);
      },
      get nowMs() {
        return world.nowMs;
      },
    };
  }

  #change(path: string, inode: Inode, change: FileChange): void {
    inode.apply(change);
    if (change.kind === "write") {
      this.#stats.writes++;
      this.#stats.bytesWritten += change.data.length;
      this.#world.trace(`disk ${this.#name} write ${path} ${change.offset}+${change.data.length}`);
    } else {
      this.#stats.truncates++;
      this.#world.trace(`disk ${this.#name} truncate ${path} ${change.size}`);
    }
  }

  #sync(path: string, inode: Inode, calledAtMs: number, throughSeq: number): void {
    const { changes, bytes } = inode.syncThrough(throughSeq);
    this.#stats.syncs++;
    this.#world.trace(`disk ${this.#name} sync ${path} ${changes} changes ${bytes} bytes`);
    if (this.#syncLogEntriesMax === 0) return;
    if (this.#syncLog.length >= this.#syncLogEntriesMax) this.#syncLog.shift();
    this.#syncLog.push({ path, calledAtMs, completedAtMs: this.#world.nowMs, changes, bytes });
  }
}
