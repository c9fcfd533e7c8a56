import { createMsgpackCodec, encodeFrame, readFrame } from "@pods/codec";
import {
  ClosedError,
  CorruptionError,
  InvalidArgumentError,
  IOError,
  assertDiskPath,
  parentDiskPath,
  type Disk,
} from "@pods/core-interfaces";

/** The largest record file accepted, in bytes: these files hold a few numbers. */
export const recordBytesMax = 65_536;

const codec = createMsgpackCodec<unknown>();

/**
 * How one kind of small durable record is stored and checked. On disk: the 4-character `magic`
 * (ASCII), then one `@pods/codec` frame (length, CRC32C) around the record's MessagePack encoding.
 */
export interface RecordFormat<T> {
  /** Four ASCII characters naming the kind of file, e.g. `"PGCS"`. */
  readonly magic: string;
  /** What the file holds, for messages: `"the generation clock's state"`. */
  readonly description: string;
  /** What to do when the file is damaged, for the `CorruptionError`. */
  readonly repairAdvice: string;
  /** Checks a decoded value and returns it as a `T`; throws (any error) when it is not one. */
  readonly validate: (value: unknown) => T;
}

function assertMagic(magic: string): void {
  if (!/^[\x20-\x7e]{4}$/.test(magic)) {
    throw new InvalidArgumentError(
      `A record format's magic must be 4 printable ASCII characters, got ${JSON.stringify(magic)}.`,
    );
  }
}

function encodeRecord<T>(format: RecordFormat<T>, value: T): Uint8Array {
  const payload = codec.encode(value);
  const frame = encodeFrame(payload, { frameBytesMax: recordBytesMax });
  const bytes = new Uint8Array(4 + frame.length);
  for (let i = 0; i < 4; i++) bytes[i] = format.magic.charCodeAt(i);
  bytes.set(frame, 4);
  return bytes;
}

function decodeRecord<T>(format: RecordFormat<T>, path: string, bytes: Uint8Array): T {
  const damaged = (problem: string, offset: number, cause?: unknown): CorruptionError =>
    new CorruptionError(
      `${format.description} is damaged (${problem}); ${format.repairAdvice}`,
      { file: path, offset },
      cause === undefined ? undefined : { cause },
    );
  if (bytes.length < 4 || [0, 1, 2, 3].some((i) => bytes[i] !== format.magic.charCodeAt(i))) {
    throw damaged(`it does not start with "${format.magic}"`, 0);
  }
  const frame = readFrame(bytes, 4, { frameBytesMax: recordBytesMax });
  if (frame.status !== "frame") throw damaged(`its frame is ${frame.status}`, 4);
  if (frame.end !== bytes.length) throw damaged("it has bytes after its record", frame.end);
  try {
    return format.validate(codec.decode(frame.payload));
  } catch (error) {
    throw damaged("its record is not valid", 4, error);
  }
}

/**
 * A small record kept durably in one file, replaced atomically on every save: the new record is
 * written to `<path>.tmp`, synced, and renamed over `<path>` (the `Disk` contract makes the rename
 * atomic and durable when it resolves), so a crash leaves the old record or the new one, never a
 * mix. Reads verify the magic and the checksum: damage is a `CorruptionError` with advice.
 *
 * Saves are coalesced: at most one write is in flight, and it writes the latest value; each save
 * resolves once a write that started after it has completed. After a failed write every pending
 * and later save rejects: reopen to recover from what is on disk.
 */
export class RecordFile<T> {
  /** The file's path on the disk. */
  readonly path: string;
  readonly #disk: Disk;
  readonly #format: RecordFormat<T>;
  #value: T | undefined;
  #durable: T | undefined;
  #latestSave = 0;
  #writing = false;
  #failure: unknown = undefined;
  #waiters: { readonly save: number; resolve(): void; reject(error: unknown): void }[] = [];

  private constructor(disk: Disk, path: string, format: RecordFormat<T>, value: T | undefined) {
    this.#disk = disk;
    this.path = path;
    this.#format = format;
    this.#value = value;
    this.#durable = value;
  }

  /**
   * Opens the record at `path` (creating its directory), reading the value a previous run saved.
   *
   * @throws `CorruptionError` when the file exists but is damaged; `InvalidArgumentError` for a
   *   bad path or format; `IOError` when the disk fails.
   */
  static async open<T>(disk: Disk, path: string, format: RecordFormat<T>): Promise<RecordFile<T>> {
    assertDiskPath(path);
    assertMagic(format.magic);
    const dir = parentDiskPath(path);
    if (dir !== "") await disk.mkdir(dir);
    let value: T | undefined;
    try {
      const file = await disk.open(path);
      try {
        const bytes = await file.read(0, recordBytesMax + 1);
        value = decodeRecord(format, path, bytes);
      } finally {
        await file.close();
      }
    } catch (error) {
      if (!(error instanceof IOError && error.failure === "not-found")) throw error;
    }
    return new RecordFile(disk, path, format, value);
  }

  /** The latest value saved (durable or on its way), or the one read at open. */
  get value(): T | undefined {
    return this.#value;
  }

  /** The latest value known durable. */
  get durableValue(): T | undefined {
    return this.#durable;
  }

  /** Whether a write failed (every save rejects from then on). */
  get failed(): boolean {
    return this.#failure !== undefined;
  }

  /**
   * Makes `value` the record; resolves once it (or a later value) is durable.
   *
   * @throws `ClosedError` (with the cause) after a failed write; the write's own error for saves
   *   pending when it failed.
   */
  save(value: T): Promise<void> {
    if (this.#failure !== undefined) {
      return Promise.reject(
        new ClosedError(`${this.#format.description} (${this.path}: a write failed)`, {
          cause: this.#failure,
        }),
      );
    }
    this.#value = value;
    const save = ++this.#latestSave;
    const done = new Promise<void>((resolve, reject) =>
      this.#waiters.push({ save, resolve, reject }),
    );
    if (!this.#writing) void this.#writeLoop();
    return done;
  }

  /**
   * Resolves once every value saved so far is durable (at once when nothing is pending).
   *
   * @throws like {@link RecordFile.save} after a failed write.
   */
  flushed(): Promise<void> {
    if (this.#failure !== undefined) return this.save(this.#value as T);
    if (this.#waiters.length === 0) return Promise.resolve();
    const save = this.#latestSave;
    return new Promise<void>((resolve, reject) => this.#waiters.push({ save, resolve, reject }));
  }

  async #writeLoop(): Promise<void> {
    this.#writing = true;
    try {
      while (this.#waiters.length > 0) {
        const save = this.#latestSave;
        const value = this.#value as T;
        await this.#replace(encodeRecord(this.#format, value));
        this.#durable = value;
        const done = this.#waiters.filter((w) => w.save <= save);
        this.#waiters = this.#waiters.filter((w) => w.save > save);
        for (const waiter of done) waiter.resolve();
      }
    } catch (error) {
      this.#failure = error;
      const waiters = this.#waiters;
      this.#waiters = [];
      for (const waiter of waiters) waiter.reject(error);
    } finally {
      this.#writing = false;
    }
  }

  async #replace(bytes: Uint8Array): Promise<void> {
    const temporary = `${this.path}.tmp`;
    const file = await this.#disk.open(temporary, { create: true });
    try {
      await file.truncate(0);
      await file.write(0, bytes);
      await file.sync();
    } finally {
      await file.close();
    }
    await this.#disk.rename(temporary, this.path);
  }
}
