import {
  CorruptionError,
  InvalidArgumentError,
  joinDiskPath,
  type Disk,
  type DiskFile,
} from "@pods/core-interfaces";
import {
  resolveStoreOptions,
  type ResolvedStoreOptions,
  type SnapshotStoreOptions,
} from "./options.ts";
import {
  readSnapshotFile,
  snapshotChunkBytesMin,
  writeSnapshotFile,
  type ReadSnapshot,
  type SnapshotHeader,
  type WrittenSnapshot,
} from "./snapshot-format.ts";
import { parseSnapshotFileName, snapshotFileName, tempFileSuffix } from "./snapshot-name.ts";
import { SnapshotReader, SnapshotReceiver } from "./snapshot-transfer.ts";

/** What to save: the state at one applied index, and the log position it stands for. */
export interface SnapshotInput {
  /** The index of the last log entry the state includes (≥ 1). */
  readonly lastIncludedIndex: number;
  /** The generation of that entry, kept for log matching after the entries are deleted. */
  readonly lastIncludedGeneration: number;
  /** The cluster membership at that index, encoded by the owner. Default empty. */
  readonly membership?: Uint8Array;
  /** The state machine's state, encoded by the owner. */
  readonly state: Uint8Array;
}

/** A stored, verified snapshot, without its state bytes. */
export interface SnapshotMeta {
  /** The index of the last log entry the state includes. */
  readonly lastIncludedIndex: number;
  /** The generation of that entry. */
  readonly lastIncludedGeneration: number;
  /** The membership bytes (do not modify). */
  readonly membership: Uint8Array;
  /** The size of the state, in bytes. */
  readonly stateBytes: number;
  /**
   * The state's checksum: CRC32C over the CRC32Cs of its frames. Equal states saved with the same
   * `snapshotChunkBytes` have equal checksums.
   */
  readonly checksum: number;
  /** The snapshot file's path on the disk. */
  readonly file: string;
  /** The snapshot file's size, in bytes. */
  readonly fileBytes: number;
}

/** A snapshot with its state. */
export interface Snapshot extends SnapshotMeta {
  /** The state machine's state, as saved. */
  readonly state: Uint8Array;
}

/** A snapshot file open found damaged (and removed). */
export interface DamagedSnapshotFile {
  /** Its path. */
  readonly file: string;
  /** What was wrong. */
  readonly problem: string;
}

/** What `SnapshotStore.open` found and removed. */
export interface SnapshotStoreRecovery {
  /** Every file open removed: temporary files, damaged snapshots, snapshots beyond retention. */
  readonly removedFiles: readonly string[];
  /** The damaged snapshot files among them, with the problem found. */
  readonly damaged: readonly DamagedSnapshotFile[];
}

function metaOf(header: SnapshotHeader, file: string, fileBytes: number): SnapshotMeta {
  return {
    lastIncludedIndex: header.lastIncludedIndex,
    lastIncludedGeneration: header.lastIncludedGeneration,
    membership: header.membership,
    stateBytes: header.stateBytes,
    checksum: header.checksum,
    file,
    fileBytes,
  };
}

function assertBytes(value: unknown, what: string, bytesMax: number, option: string): void {
  if (!(value instanceof Uint8Array))
    throw new InvalidArgumentError(`${what} must be a Uint8Array.`);
  if (value.length > bytesMax) {
    throw new InvalidArgumentError(
      `${what} has ${value.length} bytes, more than ${option} (${bytesMax}); raise the limit.`,
    );
  }
}

/**
 * Durable snapshots of a state machine, one file per snapshot named by its last included index
 * (`snapshot-<index, 20 digits>.snap`). A save writes a temporary file, syncs it and renames it
 * into place, so a crash leaves either the old set of snapshots or the new one. Open verifies every
 * kept file (every frame's CRC32C, the size, the state's CRC32C) and removes temporary and damaged
 * files, so `latest()` is always a snapshot that loads. Saves, transfers and pruning run one at a
 * time in call order.
 */
export class SnapshotStore {
  /** What open found and removed. */
  readonly recovery: SnapshotStoreRecovery;
  readonly #disk: Disk;
  readonly #options: ResolvedStoreOptions;
  /** Verified snapshots, oldest first. */
  readonly #snapshots: SnapshotMeta[];
  #mutations: Promise<unknown> = Promise.resolve();
  #receivers = 0;

  private constructor(
    disk: Disk,
    options: ResolvedStoreOptions,
    snapshots: SnapshotMeta[],
    recovery: SnapshotStoreRecovery,
  ) {
    this.#disk = disk;
    this.#options = options;
    this.#snapshots = snapshots;
    this.recovery = recovery;
  }

  /**
   * Opens (or creates) the store in `options.dir`: removes temporary files, verifies the newest
   * snapshots until `snapshotsRetained` valid ones are found, removes damaged ones (reported in
   * `recovery` and logged) and older ones.
   *
   * @throws `InvalidArgumentError` for bad options; `IOError` when the disk fails.
   */
  static async open(disk: Disk, options: SnapshotStoreOptions = {}): Promise<SnapshotStore> {
    const resolved = resolveStoreOptions(options);
    const { dir } = resolved;
    await disk.mkdir(dir);
    const removedFiles: string[] = [];
    const damaged: DamagedSnapshotFile[] = [];
    const indexes: number[] = [];
    for (const name of await disk.list(dir)) {
      if (name.endsWith(tempFileSuffix)) {
        await disk.remove(joinDiskPath(dir, name));
        removedFiles.push(joinDiskPath(dir, name));
      }
      const index = parseSnapshotFileName(name);
      if (index !== null) indexes.push(index);
    }
    const kept: SnapshotMeta[] = [];
    for (const index of indexes.sort((a, b) => b - a)) {
      const path = joinDiskPath(dir, snapshotFileName(index));
      if (kept.length < resolved.snapshotsRetained) {
        try {
          const read = await SnapshotStore.#verify(disk, path, resolved, false);
          if (read.header.lastIncludedIndex !== index) {
            throw new CorruptionError("the header's index does not match the file name", {
              file: path,
            });
          }
          kept.unshift(metaOf(read.header, path, read.fileBytes));
          continue;
        } catch (error) {
          if (!(error instanceof CorruptionError)) throw error;
          damaged.push({ file: path, problem: error.message });
          resolved.logger?.warn("snapshot-store.damaged-removed", {
            file: path,
            problem: error.message,
          });
        }
      }
      await disk.remove(path);
      removedFiles.push(path);
    }
    return new SnapshotStore(disk, resolved, kept, { removedFiles, damaged });
  }

  static async #verify(
    disk: Disk,
    path: string,
    options: ResolvedStoreOptions,
    keepState: boolean,
  ): Promise<ReadSnapshot> {
    const file = await disk.open(path);
    try {
      return await readSnapshotFile(file, path, options, keepState);
    } finally {
      await file.close();
    }
  }

  /** The directory of the snapshot files. */
  get dir(): string {
    return this.#options.dir;
  }

  /** The newest snapshot, or `undefined` when there is none. */
  latest(): SnapshotMeta | undefined {
    return this.#snapshots[this.#snapshots.length - 1];
  }

  /** The stored snapshots, oldest first. */
  list(): SnapshotMeta[] {
    return [...this.#snapshots];
  }

  /**
   * Saves a snapshot durably: writes it to a temporary file, syncs it, renames it into place, then
   * deletes snapshots beyond `snapshotsRetained`. Resolves with its description once durable.
   *
   * @throws `InvalidArgumentError` for a bad input, a state or membership over its limit, or an
   *   index not above the newest snapshot's (nothing is written); `IOError` when the disk fails
   *   (the stored snapshots are unchanged).
   */
  save(input: SnapshotInput): Promise<SnapshotMeta> {
    if (typeof input !== "object" || input === null) {
      throw new InvalidArgumentError(
        "save needs { lastIncludedIndex, lastIncludedGeneration, state }.",
      );
    }
    const { lastIncludedIndex, lastIncludedGeneration } = input;
    if (!Number.isSafeInteger(lastIncludedIndex) || lastIncludedIndex < 1) {
      throw new InvalidArgumentError(
        `lastIncludedIndex must be a safe integer >= 1, got ${String(lastIncludedIndex)}.`,
      );
    }
    if (!Number.isSafeInteger(lastIncludedGeneration) || lastIncludedGeneration < 0) {
      throw new InvalidArgumentError(
        `lastIncludedGeneration must be a safe integer >= 0, got ${String(lastIncludedGeneration)}.`,
      );
    }
    const membership = input.membership ?? new Uint8Array(0);
    assertBytes(input.state, "state", this.#options.stateBytesMax, "stateBytesMax");
    assertBytes(membership, "membership", this.#options.membershipBytesMax, "membershipBytesMax");
    const fields = {
      lastIncludedIndex,
      lastIncludedGeneration,
      chunkBytes: this.#options.snapshotChunkBytes,
      membership: membership.slice(),
    };
    return this.#mutate(async () => {
      this.#assertNewer(lastIncludedIndex);
      const tempPath = joinDiskPath(this.dir, snapshotFileName(lastIncludedIndex) + tempFileSuffix);
      await this.#disk.remove(tempPath);
      const file = await this.#disk.open(tempPath, { create: true, exclusive: true });
      let written: WrittenSnapshot;
      try {
        written = await writeSnapshotFile(file, fields, input.state);
        await file.sync();
      } catch (error) {
        await file.close();
        await this.#disk.remove(tempPath).catch(() => undefined);
        throw error;
      }
      await file.close();
      return this.#publish(tempPath, written.header, written.fileBytes);
    });
  }

  #assertNewer(lastIncludedIndex: number): void {
    const latest = this.latest();
    if (latest !== undefined && lastIncludedIndex <= latest.lastIncludedIndex) {
      throw new InvalidArgumentError(
        `A snapshot at index ${lastIncludedIndex} is not newer than the stored one at ` +
          `${latest.lastIncludedIndex}; snapshots only move forward.`,
      );
    }
  }

  /** Renames a synced temporary file into place, records it, and prunes. */
  async #publish(
    tempPath: string,
    header: SnapshotHeader,
    fileBytes: number,
  ): Promise<SnapshotMeta> {
    const path = joinDiskPath(this.dir, snapshotFileName(header.lastIncludedIndex));
    await this.#disk.rename(tempPath, path);
    const meta = metaOf(header, path, fileBytes);
    this.#snapshots.push(meta);
    await this.#prune();
    return meta;
  }

  /**
   * Reads and verifies a snapshot with its state: the newest one by default.
   *
   * @throws `InvalidArgumentError` when the store holds no snapshot at that index;
   *   `CorruptionError` when its file no longer verifies.
   */
  async load(lastIncludedIndex?: number): Promise<Snapshot> {
    const meta = this.#find(lastIncludedIndex);
    const read = await SnapshotStore.#verify(this.#disk, meta.file, this.#options, true);
    return { ...metaOf(read.header, meta.file, read.fileBytes), state: read.state! };
  }

  #find(lastIncludedIndex: number | undefined): SnapshotMeta {
    const meta =
      lastIncludedIndex === undefined
        ? this.latest()
        : this.#snapshots.find((snapshot) => snapshot.lastIncludedIndex === lastIncludedIndex);
    if (meta === undefined) {
      throw new InvalidArgumentError(
        `The store holds no snapshot${lastIncludedIndex === undefined ? "" : ` at index ${lastIncludedIndex}`}; ` +
          `it holds ${JSON.stringify(this.#snapshots.map((snapshot) => snapshot.lastIncludedIndex))}.`,
      );
    }
    return meta;
  }

  /** Deletes the snapshots beyond `snapshotsRetained`, oldest first; resolves with their paths. */
  prune(): Promise<string[]> {
    return this.#mutate(() => this.#prune());
  }

  async #prune(): Promise<string[]> {
    const removed: string[] = [];
    while (this.#snapshots.length > this.#options.snapshotsRetained) {
      const oldest = this.#snapshots.shift()!; // out of the list first: never listed once doomed
      await this.#disk.remove(oldest.file);
      removed.push(oldest.file);
    }
    return removed;
  }

  /**
   * Opens a snapshot file (the newest by default) for streaming its raw bytes to a follower. The
   * reader keeps its handle, so a prune meanwhile does not cut the transfer short.
   *
   * @throws `InvalidArgumentError` when the store holds no snapshot at that index.
   */
  async openReader(lastIncludedIndex?: number): Promise<SnapshotReader> {
    const meta = this.#find(lastIncludedIndex);
    const file: DiskFile = await this.#disk.open(meta.file);
    return new SnapshotReader(meta, file);
  }

  /**
   * Starts receiving a snapshot file of `fileBytes` bytes streamed from another node: chunks go to a
   * temporary file; `finish()` syncs and verifies it and installs it atomically as the newest
   * snapshot.
   *
   * @throws `InvalidArgumentError` when `fileBytes` exceeds what the limits allow.
   */
  receive(fileBytes: number): SnapshotReceiver {
    const options = this.#options;
    const chunks = Math.ceil(options.stateBytesMax / snapshotChunkBytesMin);
    const fileBytesMax = 64 + options.membershipBytesMax + options.stateBytesMax + 8 * chunks;
    if (!Number.isSafeInteger(fileBytes) || fileBytes < 1 || fileBytes > fileBytesMax) {
      throw new InvalidArgumentError(
        `A snapshot file of ${String(fileBytes)} bytes cannot be received: it must be from 1 to ` +
          `${fileBytesMax} bytes (raise stateBytesMax or membershipBytesMax).`,
      );
    }
    const tempPath = joinDiskPath(this.dir, `receive-${++this.#receivers}${tempFileSuffix}`);
    return new SnapshotReceiver(this.#disk, tempPath, fileBytes, (file) =>
      this.#mutate(async () => {
        const read = await readSnapshotFile(file, tempPath, options, false);
        await file.close();
        this.#assertNewer(read.header.lastIncludedIndex);
        return this.#publish(tempPath, read.header, read.fileBytes);
      }),
    );
  }

  #mutate<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#mutations.then(work);
    this.#mutations = run.catch(() => undefined);
    return run;
  }
}
