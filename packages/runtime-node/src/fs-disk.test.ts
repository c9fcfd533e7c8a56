import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { isAbsolute, join, relative } from "node:path";
import {
  ClosedError,
  InvalidArgumentError,
  IOError,
  type Disk,
  type DiskFile,
} from "@pods/core-interfaces";
import { diskContractCases, diskCrashContractCases } from "@pods/simulation";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createFsDisk } from "./fs-disk.ts";

let root: string;
let disk: Disk;
let opened: DiskFile[];

/** The disk under test, remembering its open files so each test ends with them closed. */
function trackedFsDisk(rootDir: string): Disk {
  const inner = createFsDisk(rootDir);
  return {
    open: async (path, options) => {
      const file = await inner.open(path, options);
      opened.push(file);
      return file;
    },
    list: (dir) => inner.list(dir),
    mkdir: (dir) => inner.mkdir(dir),
    remove: (path) => inner.remove(path),
    rename: (from, to) => inner.rename(from, to),
    exists: (path) => inner.exists(path),
  };
}

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "pods-fs-disk-"));
  opened = [];
  disk = trackedFsDisk(root);
});

afterEach(async () => {
  await Promise.all(opened.map((file) => file.close()));
  await rm(root, { recursive: true, force: true });
});

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const text = (data: Uint8Array): string => new TextDecoder().decode(data);

describe("the shared Disk contract, on a real directory", () => {
  for (const contractCase of diskContractCases) {
    it(contractCase.name, async () => {
      await contractCase.run(disk);
    });
  }
});

describe("the durability cases, across a process restart (a new disk on the same directory)", () => {
  // A real file system cannot lose power on command: these only check that what the contract calls
  // durable is there for a fresh disk; the kill -9 test in test/ crashes a real process.
  for (const contractCase of diskCrashContractCases) {
    it(contractCase.name, async () => {
      await contractCase.run({ disk, crash: () => Promise.resolve(trackedFsDisk(root)) });
    });
  }
});

describe("createFsDisk on the real file system", () => {
  it("puts files with their exact bytes under the root directory", async () => {
    await disk.mkdir("wal/segments");
    const file = await disk.open("wal/segments/1.log", { create: true });
    await file.write(0, bytes("abc"));
    await file.write(5, bytes("xyz"));
    await file.sync();
    await file.close();
    const onDisk = await readFile(join(root, "wal", "segments", "1.log"));
    expect([...onDisk]).toEqual([97, 98, 99, 0, 0, 120, 121, 122]);
  });

  it("reads files written by others, and returns plain Uint8Arrays the caller owns", async () => {
    await writeFile(join(root, "given.bin"), Buffer.from("0123456789"));
    const file = await disk.open("given.bin");
    const first = await file.read(2, 3);
    const second = await file.read(2, 3);
    expect(Object.getPrototypeOf(first)).toBe(Uint8Array.prototype);
    expect(text(first)).toBe("234");
    first[0] = 0;
    expect(text(second)).toBe("234");
    expect(first.buffer).not.toBe(second.buffer);
    await file.close();
  });

  it("reads and writes large buffers completely", async () => {
    const data = new Uint8Array(3 * 2 ** 20).map((_, index) => index % 251);
    const file = await disk.open("big.bin", { create: true });
    await file.write(7, data);
    const read = await file.read(7, data.length + 100);
    expect(read.length).toBe(data.length);
    expect(Buffer.compare(read, data)).toBe(0);
    expect((await file.read(0, 2 ** 40)).length).toBe(data.length + 7);
    await file.close();
  });

  it("keeps concurrent writes to different ranges of one handle apart", async () => {
    const file = await disk.open("a.log", { create: true });
    const record = (index: number): string => String(index).padStart(4, ".");
    await Promise.all(
      Array.from({ length: 64 }, (_, index) => file.write(index * 4, bytes(record(index)))),
    );
    const content = text(await file.read(0, 256));
    expect(content).toBe(Array.from({ length: 64 }, (_, index) => record(index)).join(""));
    await file.close();
  });

  it("lets operations issued before close finish, and rejects those issued after", async () => {
    const file = await disk.open("a.log", { create: true });
    const writes = Array.from({ length: 20 }, (_, index) => file.write(index, bytes("x")));
    const closed = file.close();
    const late = expect(file.read(0, 1)).rejects.toBeInstanceOf(ClosedError);
    await expect(Promise.all(writes)).resolves.toBeDefined();
    await late;
    await closed;
    expect((await readFile(join(root, "a.log"))).length).toBe(20);
  });

  it("cannot reach outside its root", async () => {
    await mkdir(join(root, "inner"));
    const inner = createFsDisk(join(root, "inner"));
    await writeFile(join(root, "secret"), "outside");
    for (const path of ["../secret", "a/../../secret", "/etc/passwd", "..", "a\\..\\secret"]) {
      await expect(inner.open(path)).rejects.toBeInstanceOf(InvalidArgumentError);
      await expect(inner.exists(path)).rejects.toBeInstanceOf(InvalidArgumentError);
      await expect(inner.remove(path)).rejects.toBeInstanceOf(InvalidArgumentError);
      await expect(inner.rename(path, "x")).rejects.toBeInstanceOf(InvalidArgumentError);
      await expect(inner.rename("x", path)).rejects.toBeInstanceOf(InvalidArgumentError);
      await expect(inner.mkdir(path)).rejects.toBeInstanceOf(InvalidArgumentError);
      await expect(inner.list(path)).rejects.toBeInstanceOf(InvalidArgumentError);
    }
    expect(await readFile(join(root, "secret"), "utf8")).toBe("outside");
  });

  it("resolves a relative root against the working directory", async () => {
    await mkdir(join(root, "rel"));
    const relativeRoot = relative(process.cwd(), join(root, "rel"));
    expect(isAbsolute(relativeRoot)).toBe(false);
    const relativeDisk = createFsDisk(relativeRoot);
    await (await relativeDisk.open("f", { create: true })).close();
    expect(existsSync(join(root, "rel", "f"))).toBe(true);
  });

  it("maps errno codes to IOError failures, keeping the system error as cause", async () => {
    await writeFile(join(root, "file"), "x");
    await mkdir(join(root, "dir"));
    const notFound = await disk.open("missing").catch((error: unknown) => error);
    expect(notFound).toBeInstanceOf(IOError);
    expect(notFound).toMatchObject({ failure: "not-found", operation: "open", path: "missing" });
    expect((notFound as IOError).cause).toMatchObject({ code: "ENOENT" });
    const exists = await disk
      .open("file", { create: true, exclusive: true })
      .catch((e: unknown) => e);
    expect(exists).toMatchObject({ failure: "exists", cause: { code: "EEXIST" } });
    const isDirectory = await disk.open("dir").catch((error: unknown) => error);
    expect(isDirectory).toBeInstanceOf(IOError);
    expect(isDirectory).toMatchObject({ failure: "failed", cause: { code: "EISDIR" } });
    expect((isDirectory as IOError).message).toContain("EISDIR");
    const notDirectory = await disk.list("file").catch((error: unknown) => error);
    expect(notDirectory).toMatchObject({ failure: "failed", cause: { code: "ENOTDIR" } });
    const fileInTheWay = await disk.mkdir("file").catch((error: unknown) => error);
    expect(fileInTheWay).toMatchObject({ failure: "exists", operation: "mkdir" });
    const missingRoot = createFsDisk(join(root, "nowhere"));
    await expect(missingRoot.mkdir("a/b")).rejects.toMatchObject({ failure: "not-found" });
    expect(existsSync(join(root, "nowhere"))).toBe(false);
  });

  it("answers exists for files and directories, and false below a file", async () => {
    await writeFile(join(root, "file"), "x");
    await disk.mkdir("dir");
    expect(await disk.exists("file")).toBe(true);
    expect(await disk.exists("dir")).toBe(true);
    expect(await disk.exists("file/below")).toBe(false);
    expect(await disk.exists("nothing")).toBe(false);
  });

  it("lists names sorted by UTF-16 code units, not locale", async () => {
    for (const name of ["b", "B", "a", "é", "Z", "10", "9"]) await writeFile(join(root, name), "");
    expect(await disk.list("")).toEqual(["10", "9", "B", "Z", "a", "b", "é"]);
  });

  it("follows symbolic links placed inside the root, as the OS does", async () => {
    await mkdir(join(root, "real"));
    await symlink(join(root, "real"), join(root, "link"));
    await (await disk.open("link/f", { create: true })).close();
    expect(existsSync(join(root, "real", "f"))).toBe(true);
  });

  it("rejects bad options and data with InvalidArgumentError", async () => {
    await expect(disk.open("a", { exclusive: true })).rejects.toBeInstanceOf(InvalidArgumentError);
    const file = await disk.open("a", { create: true });
    await expect(file.write(0, "text" as unknown as Uint8Array)).rejects.toBeInstanceOf(
      InvalidArgumentError,
    );
    await expect(file.write(Number.MAX_SAFE_INTEGER, bytes("x"))).rejects.toBeInstanceOf(
      InvalidArgumentError,
    );
    await expect(file.read(Number.NaN, 1)).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(file.truncate(0.5)).rejects.toBeInstanceOf(InvalidArgumentError);
    await file.close();
    expect(() => createFsDisk("")).toThrow(InvalidArgumentError);
  });

  it("renames across directories, replacing the target", async () => {
    await disk.mkdir("from");
    await disk.mkdir("to");
    await writeFile(join(root, "from", "a"), "moved");
    await writeFile(join(root, "to", "b"), "replaced");
    await disk.rename("from/a", "to/b");
    expect(await disk.list("from")).toEqual([]);
    expect(await readFile(join(root, "to", "b"), "utf8")).toBe("moved");
  });
});
