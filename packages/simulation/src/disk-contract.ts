import {
  ClosedError,
  InvalidArgumentError,
  IOError,
  type Disk,
  type DiskFile,
} from "@pods/core-interfaces";

/**
 * One case of the shared `Disk` contract: the behaviour every implementation of the `Disk` port
 * must have, written without a test framework so any runner can use it. A case throws (an
 * {@link DiskContractViolation}) when the disk breaks the contract.
 */
export interface DiskContractCase {
  /** What the case checks, as a sentence fragment ("rename replaces the target"). */
  readonly name: string;
  /** Runs the case against a fresh, empty disk. */
  run(disk: Disk): Promise<void>;
}

/**
 * A disk that can be crashed: what the durability cases need. `crash()` simulates a power loss
 * and returns the disk as a restarted process finds it.
 */
export interface CrashableDisk {
  /** The disk before the crash. */
  readonly disk: Disk;
  /**
   * Loses everything the durability contract allows to lose; returns the disk after restart. A
   * function property (not a method), so cases may destructure it.
   */
  readonly crash: () => Promise<Disk>;
}

/** A durability case of the contract; needs a {@link CrashableDisk}. */
export interface DiskCrashContractCase {
  /** What the case checks. */
  readonly name: string;
  /** Runs the case against a fresh, empty crashable disk. */
  run(subject: CrashableDisk): Promise<void>;
}

/** Thrown by a contract case when the disk under test breaks the contract. */
export class DiskContractViolation extends Error {
  /** @param message - what the disk did, and what the contract says. */
  constructor(message: string) {
    super(message);
    this.name = "DiskContractViolation";
  }
}

function check(condition: boolean, message: string): void {
  if (!condition) throw new DiskContractViolation(message);
}

function bytes(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

function text(data: Uint8Array): string {
  return new TextDecoder().decode(data);
}

function sameBytes(actual: Uint8Array, expected: Uint8Array, what: string): void {
  const equal =
    actual.length === expected.length && actual.every((byte, index) => byte === expected[index]);
  check(equal, `${what}: expected [${expected.join(",")}], read [${actual.join(",")}]`);
}

async function rejectsWith<E extends Error>(
  operation: () => Promise<unknown>,
  type: abstract new (...args: never[]) => E,
  what: string,
  detail?: (error: E) => boolean,
): Promise<void> {
  try {
    await operation();
  } catch (error) {
    check(error instanceof type, `${what}: expected ${type.name}, got ${String(error)}`);
    check(detail === undefined || detail(error as E), `${what}: wrong details in ${String(error)}`);
    return;
  }
  throw new DiskContractViolation(`${what}: expected ${type.name}, but it succeeded`);
}

async function readAll(file: DiskFile): Promise<Uint8Array> {
  return file.read(0, await file.size());
}

async function writeFile(disk: Disk, path: string, content: string): Promise<DiskFile> {
  const file = await disk.open(path, { create: true });
  await file.write(0, bytes(content));
  return file;
}

/** The cases every `Disk` must pass, durable or not. */
export const diskContractCases: readonly DiskContractCase[] = [
  {
    name: "opening a missing file without create fails with IOError not-found",
    async run(disk) {
      await rejectsWith(
        () => disk.open("missing.log"),
        IOError,
        "open of a missing file",
        (error) => error.failure === "not-found",
      );
      check(!(await disk.exists("missing.log")), "a failed open must not create the file");
    },
  },
  {
    name: "create makes an empty file that exists and is listed",
    async run(disk) {
      const file = await disk.open("a.log", { create: true });
      check((await file.size()) === 0, "a new file is empty");
      check(await disk.exists("a.log"), "a created file exists");
      check((await disk.list("")).includes("a.log"), "a created file is listed");
      await file.close();
    },
  },
  {
    name: "exclusive create of an existing file fails with IOError exists",
    async run(disk) {
      await (await disk.open("a.log", { create: true })).close();
      await rejectsWith(
        () => disk.open("a.log", { create: true, exclusive: true }),
        IOError,
        "exclusive create of an existing file",
        (error) => error.failure === "exists",
      );
    },
  },
  {
    name: "written bytes read back; reads stop at the end of the file",
    async run(disk) {
      const file = await writeFile(disk, "a.log", "hello world");
      check((await file.size()) === 11, "size counts written bytes");
      check(text(await file.read(6, 5)) === "world", "read at an offset");
      check(text(await file.read(6, 100)) === "world", "a read past the end returns what exists");
      check((await file.read(11, 10)).length === 0, "a read at the end returns nothing");
      check((await file.read(50, 10)).length === 0, "a read beyond the end returns nothing");
      check((await file.read(0, 0)).length === 0, "a read of 0 bytes returns nothing");
      await file.close();
    },
  },
  {
    name: "a write past the end fills the gap with zeros; overwrites replace bytes in place",
    async run(disk) {
      const file = await writeFile(disk, "a.log", "ab");
      await file.write(5, bytes("z"));
      sameBytes(await readAll(file), Uint8Array.of(97, 98, 0, 0, 0, 122), "gap reads as zeros");
      await file.write(1, bytes("XY"));
      check(text(await file.read(0, 3)) === "aXY", "overwrite in the middle");
      check((await file.size()) === 6, "an overwrite inside the file does not change its size");
      await file.close();
    },
  },
  {
    name: "truncate shrinks the file, or extends it with zeros",
    async run(disk) {
      const file = await writeFile(disk, "a.log", "abcdef");
      await file.truncate(2);
      check(text(await readAll(file)) === "ab", "truncate cuts the tail");
      await file.truncate(4);
      sameBytes(await readAll(file), Uint8Array.of(97, 98, 0, 0), "truncate up extends with zeros");
      await file.write(10, new Uint8Array(0));
      check((await file.size()) === 4, "writing no bytes past the end changes nothing");
      await file.write(4, bytes("e"));
      check((await file.size()) === 5, "appends continue after a truncation");
      await file.close();
    },
  },
  {
    name: "the bytes returned by read and given to write belong to the caller",
    async run(disk) {
      const data = bytes("abc");
      const file = await disk.open("a.log", { create: true });
      await file.write(0, data);
      data[0] = 120;
      const read = await file.read(0, 3);
      check(text(read) === "abc", "changing a written buffer afterwards must not change the file");
      read[1] = 120;
      check(
        text(await file.read(0, 3)) === "abc",
        "changing a read buffer must not change the file",
      );
      await file.close();
    },
  },
  {
    name: "synced data is there after close and reopen",
    async run(disk) {
      const file = await writeFile(disk, "a.log", "durable");
      await file.sync();
      await file.close();
      const reopened = await disk.open("a.log");
      check(text(await readAll(reopened)) === "durable", "content after reopen");
      await reopened.close();
    },
  },
  {
    name: "two handles on one file see each other's writes",
    async run(disk) {
      const writer = await writeFile(disk, "a.log", "one");
      const reader = await disk.open("a.log");
      check(text(await readAll(reader)) === "one", "second handle reads the first one's write");
      await writer.close();
      await reader.close();
    },
  },
  {
    name: "operations on a closed file fail with ClosedError; close is idempotent",
    async run(disk) {
      const file = await writeFile(disk, "a.log", "x");
      await file.close();
      await file.close();
      await rejectsWith(() => file.read(0, 1), ClosedError, "read after close");
      await rejectsWith(() => file.write(0, bytes("y")), ClosedError, "write after close");
      await rejectsWith(() => file.sync(), ClosedError, "sync after close");
      await rejectsWith(() => file.size(), ClosedError, "size after close");
      await rejectsWith(() => file.truncate(0), ClosedError, "truncate after close");
    },
  },
  {
    name: "rename moves a file and atomically replaces the target",
    async run(disk) {
      await (await writeFile(disk, "old.tmp", "new content")).close();
      await (await writeFile(disk, "current", "old content")).close();
      await disk.rename("old.tmp", "current");
      check(!(await disk.exists("old.tmp")), "the source is gone after rename");
      const file = await disk.open("current");
      check(text(await readAll(file)) === "new content", "the target holds the renamed file");
      await file.close();
      await rejectsWith(
        () => disk.rename("nothing", "else"),
        IOError,
        "rename of a missing file",
        (error) => error.failure === "not-found",
      );
    },
  },
  {
    name: "remove deletes a file and succeeds when there is none",
    async run(disk) {
      await (await writeFile(disk, "a.log", "x")).close();
      await disk.remove("a.log");
      check(!(await disk.exists("a.log")), "a removed file does not exist");
      check(!(await disk.list("")).includes("a.log"), "a removed file is not listed");
      await disk.remove("a.log");
    },
  },
  {
    name: "an open handle keeps working after its file is removed",
    async run(disk) {
      const file = await writeFile(disk, "a.log", "still here");
      await disk.remove("a.log");
      check(text(await readAll(file)) === "still here", "read through a handle after remove");
      await file.close();
    },
  },
  {
    name: "mkdir creates parents, is idempotent; list is sorted and shows directories",
    async run(disk) {
      await disk.mkdir("data/wal");
      await disk.mkdir("data/wal");
      check(await disk.exists("data/wal"), "mkdir creates nested directories");
      for (const name of ["b.log", "a.log", "c.log"]) {
        await (await disk.open(`data/wal/${name}`, { create: true })).close();
      }
      await (await disk.open("data/z.log", { create: true })).close();
      const listed = await disk.list("data/wal");
      check(listed.join(",") === "a.log,b.log,c.log", `list is sorted, got ${listed.join(",")}`);
      const data = await disk.list("data");
      check(data.join(",") === "wal,z.log", `list shows directories, got ${data.join(",")}`);
    },
  },
  {
    name: "a missing directory fails list and create with IOError not-found",
    async run(disk) {
      await rejectsWith(
        () => disk.list("nowhere"),
        IOError,
        "list of a missing directory",
        (error) => error.failure === "not-found",
      );
      await rejectsWith(
        () => disk.open("nowhere/a.log", { create: true }),
        IOError,
        "create in a missing directory",
        (error) => error.failure === "not-found",
      );
    },
  },
  {
    name: "bad paths and offsets fail with InvalidArgumentError",
    async run(disk) {
      for (const path of ["", "/abs", "a/../b", "a//b", "./a", "a\\b"]) {
        await rejectsWith(
          () => disk.open(path, { create: true }),
          InvalidArgumentError,
          `open(${JSON.stringify(path)})`,
        );
      }
      await rejectsWith(
        () => disk.open("a.log", { exclusive: true }),
        InvalidArgumentError,
        "exclusive without create",
      );
      const file = await disk.open("a.log", { create: true });
      await rejectsWith(() => file.read(-1, 1), InvalidArgumentError, "read at offset -1");
      await rejectsWith(() => file.read(0, 1.5), InvalidArgumentError, "read of 1.5 bytes");
      await rejectsWith(() => file.write(-1, bytes("x")), InvalidArgumentError, "write at -1");
      await rejectsWith(() => file.truncate(-1), InvalidArgumentError, "truncate to -1");
      await file.close();
    },
  },
];

/** The durability cases; they need a disk that can crash (the simulated one). */
export const diskCrashContractCases: readonly DiskCrashContractCase[] = [
  {
    name: "synced writes survive a crash",
    async run({ disk, crash }) {
      const file = await writeFile(disk, "a.log", "synced");
      await file.sync();
      await file.close();
      const after = await crash();
      const reopened = await after.open("a.log");
      check(text(await readAll(reopened)) === "synced", "synced content after crash");
      await reopened.close();
    },
  },
  {
    name: "after a crash an unsynced append is absent, whole, or a prefix; never garbage",
    async run({ disk, crash }) {
      const file = await writeFile(disk, "a.log", "base");
      await file.sync();
      const tail = "-unsynced-tail".repeat(100);
      await file.write(4, bytes(tail));
      await file.close();
      const after = await crash();
      const reopened = await after.open("a.log");
      const content = text(await readAll(reopened));
      await reopened.close();
      const kept = content.slice(4);
      check(content.startsWith("base"), "the synced prefix is kept");
      check(
        tail.startsWith(kept.replace(/\0+$/, "")),
        `an unsynced tail may only be lost or cut, got ${JSON.stringify(kept.slice(0, 40))}`,
      );
    },
  },
  {
    name: "created, renamed and removed directory entries are durable when the call resolves",
    async run({ disk, crash }) {
      await disk.mkdir("dir");
      await (await disk.open("dir/created", { create: true })).close();
      const moved = await writeFile(disk, "dir/moved.tmp", "m");
      await moved.sync();
      await moved.close();
      await disk.rename("dir/moved.tmp", "dir/moved");
      await (await disk.open("dir/removed", { create: true })).close();
      await disk.remove("dir/removed");
      const after = await crash();
      const listed = await after.list("dir");
      check(listed.join(",") === "created,moved", `entries after crash: ${listed.join(",")}`);
      const renamed = await after.open("dir/moved");
      check(text(await readAll(renamed)) === "m", "renamed content");
      await renamed.close();
    },
  },
  {
    name: "every synced write survives a crash, also writes made after an earlier sync",
    async run({ disk, crash }) {
      const file = await writeFile(disk, "a.log", "first");
      await file.sync();
      await file.write(5, bytes("second"));
      await file.sync();
      await file.close();
      const after = await crash();
      const reopened = await after.open("a.log");
      check(text(await readAll(reopened)) === "firstsecond", "both synced writes survive");
      await reopened.close();
    },
  },
];
