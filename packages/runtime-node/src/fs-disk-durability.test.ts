import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FsDisk } from "./fs-disk.ts";
import { nodeFsSystem, openFlags, type FsHandle, type FsSystem } from "./fs-system.ts";

/**
 * The real file system, recording the calls that matter for durability as readable strings, with
 * paths relative to the test's root (`"."` is the root itself).
 */
class RecordingFs implements FsSystem {
  readonly log: string[] = [];
  /** While set, directory fsyncs wait for it. */
  directorySyncGate: Promise<void> | undefined;
  directorySyncsWaiting = 0;

  constructor(readonly root: string) {}

  #name(path: string): string {
    return relative(this.root, path) || ".";
  }

  async open(path: string, flags: number): Promise<FsHandle> {
    const handle = await nodeFsSystem.open(path, flags);
    const name = this.#name(path);
    if (flags === openFlags.created) this.log.push(`create ${name}`);
    if (flags !== openFlags.directory) return handle;
    return {
      read: (...args) => handle.read(...args),
      write: (...args) => handle.write(...args),
      datasync: () => handle.datasync(),
      truncate: (length) => handle.truncate(length),
      stat: () => handle.stat(),
      close: () => handle.close(),
      sync: async () => {
        if (this.directorySyncGate !== undefined) {
          this.directorySyncsWaiting++;
          await this.directorySyncGate;
        }
        await handle.sync();
        this.log.push(`fsync-dir ${name}`);
      },
    };
  }

  async mkdir(path: string): Promise<unknown> {
    await nodeFsSystem.mkdir(path);
    this.log.push(`mkdir ${this.#name(path)}`);
    return undefined;
  }

  async rename(from: string, to: string): Promise<void> {
    await nodeFsSystem.rename(from, to);
    this.log.push(`rename ${this.#name(from)} ${this.#name(to)}`);
  }

  async unlink(path: string): Promise<void> {
    await nodeFsSystem.unlink(path);
    this.log.push(`unlink ${this.#name(path)}`);
  }

  readdir(path: string): Promise<string[]> {
    return nodeFsSystem.readdir(path);
  }

  stat(path: string): Promise<{ isDirectory(): boolean }> {
    return nodeFsSystem.stat(path);
  }
}

let root: string;
let fs: RecordingFs;
let disk: FsDisk;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "pods-fs-durability-"));
  fs = new RecordingFs(root);
  disk = new FsDisk(root, fs);
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("directory fsyncs of the fs disk", () => {
  it("a file created by open fsyncs its directory before open resolves", async () => {
    await disk.mkdir("wal");
    fs.log.length = 0;
    await (await disk.open("wal/a.log", { create: true })).close();
    expect(fs.log).toEqual(["create wal/a.log", "fsync-dir wal"]);
  });

  it("opening an existing file, with or without create, syncs nothing", async () => {
    await writeFile(join(root, "a.log"), "x");
    await (await disk.open("a.log", { create: true })).close();
    await (await disk.open("a.log")).close();
    expect(fs.log).toEqual([]);
  });

  it("an exclusive create fsyncs the directory; a failing one does not", async () => {
    await (await disk.open("a.log", { create: true, exclusive: true })).close();
    await expect(disk.open("a.log", { create: true, exclusive: true })).rejects.toMatchObject({
      failure: "exists",
    });
    expect(fs.log).toEqual(["create a.log", "fsync-dir ."]);
  });

  it("mkdir fsyncs the parent of each directory it creates, top down, and nothing when it exists", async () => {
    await disk.mkdir("a");
    fs.log.length = 0;
    await disk.mkdir("a/b/c/d");
    expect(fs.log).toEqual([
      "mkdir a/b",
      "fsync-dir a",
      "mkdir a/b/c",
      "fsync-dir a/b",
      "mkdir a/b/c/d",
      "fsync-dir a/b/c",
    ]);
    fs.log.length = 0;
    await disk.mkdir("a/b/c/d");
    expect(fs.log).toEqual([]);
  });

  it("rename fsyncs the target's directory, then the source's", async () => {
    await disk.mkdir("snap");
    await writeFile(join(root, "tmp"), "x");
    fs.log.length = 0;
    await disk.rename("tmp", "snap/1");
    expect(fs.log).toEqual(["rename tmp snap/1", "fsync-dir snap", "fsync-dir ."]);
    fs.log.length = 0;
    await disk.rename("snap/1", "snap/2");
    expect(fs.log).toEqual(["rename snap/1 snap/2", "fsync-dir snap"]);
  });

  it("remove fsyncs the parent; removing a missing file syncs nothing", async () => {
    await writeFile(join(root, "a.log"), "x");
    await disk.remove("a.log");
    await disk.remove("a.log");
    expect(fs.log).toEqual(["unlink a.log", "fsync-dir ."]);
  });

  it("a file found existing while its creation is still syncing waits for a directory fsync", async () => {
    let release = (): void => undefined;
    fs.directorySyncGate = new Promise((resolve) => {
      release = resolve;
    });
    let secondResolved = false;
    const first = disk.open("a.log", { create: true });
    // Let the first call create the file and start its directory fsync.
    while (fs.directorySyncsWaiting < 1) await new Promise((resolve) => setImmediate(resolve));
    const second = disk.open("a.log", { create: true }).then((file) => {
      secondResolved = true;
      return file;
    });
    while (fs.directorySyncsWaiting < 2 && !secondResolved) {
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(secondResolved).toBe(false);
    release();
    await Promise.all([(await first).close(), (await second).close()]);
    expect(fs.log).toEqual(["create a.log", "fsync-dir .", "fsync-dir ."]);
  });

  it("a directory found existing while its creation is still syncing waits for a directory fsync", async () => {
    let release = (): void => undefined;
    fs.directorySyncGate = new Promise((resolve) => {
      release = resolve;
    });
    let secondResolved = false;
    const first = disk.mkdir("d");
    while (fs.directorySyncsWaiting < 1) await new Promise((resolve) => setImmediate(resolve));
    const second = disk.mkdir("d").then(() => {
      secondResolved = true;
    });
    while (fs.directorySyncsWaiting < 2 && !secondResolved) {
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(secondResolved).toBe(false);
    release();
    await Promise.all([first, second]);
  });
});
