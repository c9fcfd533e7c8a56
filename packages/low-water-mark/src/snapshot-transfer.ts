import { ClosedError, InvalidArgumentError, type Disk, type DiskFile } from "@pods/core-interfaces";
import type { SnapshotMeta } from "./snapshot-store.ts";

/**
 * Reads the raw bytes of one stored snapshot file, in chunks of the caller's choosing: what a
 * leader streams to a follower that fell below the low-water mark. It holds its own file handle,
 * so the transfer completes even if the snapshot is pruned meanwhile. Close it when done.
 */
export class SnapshotReader {
  /** The snapshot being read. */
  readonly meta: SnapshotMeta;
  readonly #file: DiskFile;
  #closed = false;

  /**
   * Use `SnapshotStore.openReader`.
   *
   * @param meta - the snapshot.
   * @param file - an open handle of its file.
   */
  constructor(meta: SnapshotMeta, file: DiskFile) {
    this.meta = meta;
    this.#file = file;
  }

  /**
   * Reads up to `bytesMax` bytes of the file from `offset`; fewer only at the end (none at
   * `meta.fileBytes`). The chunk ending at `meta.fileBytes` is the last.
   *
   * @throws `InvalidArgumentError` for an offset outside the file or a bad `bytesMax`;
   *   `ClosedError` after `close()`.
   */
  async read(offset: number, bytesMax: number): Promise<Uint8Array> {
    if (this.#closed) throw new ClosedError(`snapshot reader of ${this.meta.file}`);
    if (!Number.isSafeInteger(offset) || offset < 0 || offset > this.meta.fileBytes) {
      throw new InvalidArgumentError(
        `offset must be an integer from 0 to ${this.meta.fileBytes}, got ${String(offset)}.`,
      );
    }
    if (!Number.isSafeInteger(bytesMax) || bytesMax < 1) {
      throw new InvalidArgumentError(`bytesMax must be an integer >= 1, got ${String(bytesMax)}.`);
    }
    return this.#file.read(offset, Math.min(bytesMax, this.meta.fileBytes - offset));
  }

  /** Releases the file handle. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#file.close();
  }
}

type ReceiverState = "receiving" | "finishing" | "done" | "aborted";

/**
 * Assembles a snapshot file streamed from another node in a temporary file, then installs it
 * atomically with `finish()`: synced, verified like a file found at open, renamed into place as
 * the store's newest snapshot. Chunks must arrive in order (`offset` = `bytesReceived`); a resent
 * or reordered chunk is refused with `InvalidArgumentError` naming the offset expected.
 */
export class SnapshotReceiver {
  /** The size of the file being received, in bytes. */
  readonly fileBytes: number;
  readonly #disk: Disk;
  readonly #path: string;
  readonly #install: (file: DiskFile) => Promise<SnapshotMeta>;
  #file: Promise<DiskFile> | undefined;
  #writes: Promise<unknown> = Promise.resolve();
  #bytesReceived = 0;
  #state: ReceiverState = "receiving";

  /**
   * Use `SnapshotStore.receive`.
   *
   * @param disk - the store's disk.
   * @param path - the temporary file to assemble the snapshot in.
   * @param fileBytes - the size of the snapshot file.
   * @param install - verifies the synced file and installs it.
   */
  constructor(
    disk: Disk,
    path: string,
    fileBytes: number,
    install: (file: DiskFile) => Promise<SnapshotMeta>,
  ) {
    this.#disk = disk;
    this.#path = path;
    this.fileBytes = fileBytes;
    this.#install = install;
  }

  /** Bytes accepted so far: the offset the next chunk must have. */
  get bytesReceived(): number {
    return this.#bytesReceived;
  }

  /**
   * Appends a chunk at `offset`. Resolves once written (not yet durable).
   *
   * @throws `InvalidArgumentError` when `offset` is not `bytesReceived` or the chunk runs past
   *   `fileBytes`; `ClosedError` after `finish()` or `abort()`.
   */
  write(offset: number, bytes: Uint8Array): Promise<void> {
    this.#assertReceiving();
    if (!(bytes instanceof Uint8Array))
      throw new InvalidArgumentError("bytes must be a Uint8Array.");
    if (offset !== this.#bytesReceived) {
      throw new InvalidArgumentError(
        `A snapshot chunk at offset ${String(offset)} arrived, but the next one must be at ` +
          `${this.#bytesReceived}; resend from there.`,
      );
    }
    if (offset + bytes.length > this.fileBytes) {
      throw new InvalidArgumentError(
        `A snapshot chunk of ${bytes.length} bytes at ${offset} runs past the file's ${this.fileBytes} bytes.`,
      );
    }
    this.#bytesReceived += bytes.length;
    const file = (this.#file ??= this.#create());
    const run = this.#writes.then(async () => (await file).write(offset, bytes));
    this.#writes = run.catch(() => undefined);
    return run;
  }

  async #create(): Promise<DiskFile> {
    await this.#disk.remove(this.#path);
    return this.#disk.open(this.#path, { create: true, exclusive: true });
  }

  /**
   * Syncs the assembled file, verifies it, and installs it as the store's newest snapshot.
   *
   * @throws `InvalidArgumentError` before all `fileBytes` arrived, or when the snapshot is not
   *   newer than the store's newest; `CorruptionError` when it does not verify (the temporary file
   *   is removed; start a new transfer).
   */
  async finish(): Promise<SnapshotMeta> {
    this.#assertReceiving();
    if (this.#bytesReceived !== this.fileBytes) {
      throw new InvalidArgumentError(
        `Only ${this.#bytesReceived} of ${this.fileBytes} snapshot bytes arrived; send the rest first.`,
      );
    }
    this.#state = "finishing";
    try {
      await this.#writes;
      const file = await this.#file!;
      await file.sync();
      const meta = await this.#install(file);
      this.#state = "done";
      return meta;
    } catch (error) {
      this.#state = "receiving";
      await this.abort();
      throw error;
    }
  }

  /** Drops the transfer and removes the temporary file. Idempotent. */
  async abort(): Promise<void> {
    if (this.#state !== "receiving") return;
    this.#state = "aborted";
    await this.#writes;
    const file = await this.#file?.catch(() => undefined);
    await file?.close();
    await this.#disk.remove(this.#path);
  }

  #assertReceiving(): void {
    if (this.#state !== "receiving") {
      throw new ClosedError(`snapshot receiver ${this.#path} (${this.#state})`);
    }
  }
}
