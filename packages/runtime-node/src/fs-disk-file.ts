import { ClosedError, InvalidArgumentError, IOError, type DiskFile } from "@pods/core-interfaces";
import type { FsHandle } from "./fs-system.ts";
import { toIOError } from "./io-error.ts";

/** The most bytes handed to one `pread`/`pwrite` call (Node refuses more than 2^31 − 1). */
const ioCallBytesMax = 2 ** 30;

/**
 * Reads longer than this check the file size first, so that asking for much more than the file
 * holds does not allocate the whole request.
 */
const readAllocationCheckBytes = 2 ** 20;

function assertByteCount(value: number, what: string, path: string): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new InvalidArgumentError(
      `${what} must be a safe integer >= 0 (a byte count) for file ${path}, got ${String(value)}.`,
    );
  }
}

/**
 * A `DiskFile` on an open Node file handle. Reads and writes are positional (`pread`,
 * `pwrite`) and loop until complete, so concurrent operations never share a file position.
 * `close()` stops new operations at once (they reject with `ClosedError`), waits for the ones in
 * flight, then closes the descriptor: an operation never runs on a closed or reused descriptor.
 */
export class FsDiskFile implements DiskFile {
  readonly path: string;
  readonly #handle: FsHandle;
  #inFlight = 0;
  #drained: (() => void) | undefined;
  #closing: Promise<void> | undefined;
  #syncFailure: IOError | undefined;

  /**
   * @param path - the disk path the file was opened with.
   * @param handle - the open handle; the file owns it from now on.
   */
  constructor(path: string, handle: FsHandle) {
    this.path = path;
    this.#handle = handle;
  }

  async size(): Promise<number> {
    return this.#run("size", async (handle) => (await handle.stat()).size);
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    assertByteCount(offset, "read offset", this.path);
    assertByteCount(length, "read length", this.path);
    return this.#run("read", async (handle) => {
      let wanted = length;
      if (wanted > readAllocationCheckBytes) {
        wanted = Math.min(wanted, Math.max(0, (await handle.stat()).size - offset));
      }
      const buffer = new Uint8Array(wanted);
      let done = 0;
      while (done < wanted) {
        const chunk = Math.min(wanted - done, ioCallBytesMax);
        const { bytesRead } = await handle.read(buffer, done, chunk, offset + done);
        if (bytesRead === 0) break;
        done += bytesRead;
      }
      return done === wanted ? buffer : buffer.slice(0, done);
    });
  }

  async write(offset: number, data: Uint8Array): Promise<void> {
    assertByteCount(offset, "write offset", this.path);
    if (!(data instanceof Uint8Array)) {
      throw new InvalidArgumentError(`write data for file ${this.path} must be a Uint8Array.`);
    }
    assertByteCount(offset + data.length, "write end (offset + data length)", this.path);
    return this.#run("write", async (handle) => {
      let done = 0;
      while (done < data.length) {
        const chunk = Math.min(data.length - done, ioCallBytesMax);
        const { bytesWritten } = await handle.write(data, done, chunk, offset + done);
        if (bytesWritten === 0) {
          throw new IOError(
            "write",
            this.path,
            "failed",
            `the system wrote no bytes at ${offset + done}`,
          );
        }
        done += bytesWritten;
      }
    });
  }

  async truncate(size: number): Promise<void> {
    assertByteCount(size, "truncate size", this.path);
    return this.#run("truncate", (handle) => handle.truncate(size));
  }

  async sync(): Promise<void> {
    return this.#run("sync", async (handle) => {
      // After a failed fdatasync the kernel may have dropped the dirty pages and cleared the error,
      // so a second fdatasync could succeed without the data: every later sync fails too.
      if (this.#syncFailure !== undefined) throw this.#syncFailure;
      try {
        await handle.datasync();
      } catch (error) {
        this.#syncFailure = new IOError(
          "sync",
          this.path,
          "failed",
          "an earlier sync of this handle failed, so unsynced writes may be lost; reopen the file " +
            "and recover from what is known to be durable",
          { cause: error },
        );
        throw error;
      }
    });
  }

  close(): Promise<void> {
    this.#closing ??= this.#closeWhenDrained();
    return this.#closing;
  }

  async #closeWhenDrained(): Promise<void> {
    if (this.#inFlight > 0) {
      await new Promise<void>((resolve) => {
        this.#drained = resolve;
      });
    }
    try {
      await this.#handle.close();
    } catch (error) {
      throw toIOError("close", this.path, error);
    }
  }

  async #run<T>(operation: string, work: (handle: FsHandle) => Promise<T>): Promise<T> {
    if (this.#closing !== undefined) throw new ClosedError(`file ${this.path}`);
    this.#inFlight++;
    try {
      return await work(this.#handle);
    } catch (error) {
      throw toIOError(operation, this.path, error);
    } finally {
      this.#inFlight--;
      if (this.#inFlight === 0) this.#drained?.();
    }
  }
}
