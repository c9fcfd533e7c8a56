import { ClosedError, InvalidArgumentError, IOError } from "@pods/core-interfaces";
import { describe, expect, it } from "vitest";
import { FsDiskFile } from "./fs-disk-file.ts";
import type { FsHandle } from "./fs-system.ts";

/** An in-memory file handle that moves at most `callBytesMax` bytes per call, like a slow device. */
class FakeHandle implements FsHandle {
  content = new Uint8Array(0);
  calls: string[] = [];
  closed = false;
  datasyncError: Error | undefined;
  /** While set, every call waits for it. */
  gate: Promise<void> | undefined;

  constructor(readonly callBytesMax = Infinity) {}

  async read(buffer: Uint8Array, offset: number, length: number, position: number) {
    await this.#enter("read");
    const slice = this.content.subarray(position, position + Math.min(length, this.callBytesMax));
    buffer.set(slice, offset);
    return { bytesRead: slice.length };
  }

  async write(buffer: Uint8Array, offset: number, length: number, position: number) {
    await this.#enter("write");
    const count = Math.min(length, this.callBytesMax);
    if (position + count > this.content.length) {
      const grown = new Uint8Array(position + count);
      grown.set(this.content);
      this.content = grown;
    }
    this.content.set(buffer.subarray(offset, offset + count), position);
    return { bytesWritten: count };
  }

  async datasync() {
    await this.#enter("datasync");
    if (this.datasyncError !== undefined) throw this.datasyncError;
  }

  async sync() {
    await this.#enter("sync");
  }

  async truncate(length: number) {
    await this.#enter("truncate");
    const resized = new Uint8Array(length);
    resized.set(this.content.subarray(0, length));
    this.content = resized;
  }

  async stat() {
    await this.#enter("stat");
    return { size: this.content.length };
  }

  async close() {
    this.calls.push("close");
    this.closed = true;
    return Promise.resolve();
  }

  async #enter(call: string): Promise<void> {
    if (this.closed)
      throw Object.assign(new Error("EBADF: bad file descriptor"), { code: "EBADF" });
    this.calls.push(call);
    await this.gate;
  }
}

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

describe("FsDiskFile", () => {
  it("loops until a write is complete and a read is complete or at the end", async () => {
    const handle = new FakeHandle(3);
    const file = new FsDiskFile("a.log", handle);
    await file.write(2, bytes("0123456789"));
    expect(handle.calls.filter((call) => call === "write")).toHaveLength(4);
    const read = await file.read(1, 100);
    expect([...read]).toEqual([0, ...bytes("0123456789")]);
    expect(Object.getPrototypeOf(read)).toBe(Uint8Array.prototype);
  });

  it("fails a write the system makes no progress on, instead of spinning", async () => {
    const handle = new FakeHandle(0);
    const file = new FsDiskFile("a.log", handle);
    const error = await file.write(0, bytes("x")).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(IOError);
    expect(error).toMatchObject({ failure: "failed", operation: "write" });
  });

  it("sync is fdatasync, and after one fails every later sync fails without trusting the kernel", async () => {
    const handle = new FakeHandle();
    const file = new FsDiskFile("a.log", handle);
    await file.sync();
    expect(handle.calls).toEqual(["datasync"]);
    handle.datasyncError = Object.assign(new Error("EIO: i/o error, fdatasync"), { code: "EIO" });
    const first = await file.sync().catch((caught: unknown) => caught);
    expect(first).toBeInstanceOf(IOError);
    expect(first).toMatchObject({ failure: "failed", cause: handle.datasyncError });
    expect((first as IOError).message).toContain("EIO");
    handle.datasyncError = undefined;
    const second = await file.sync().catch((caught: unknown) => caught);
    expect(second).toBeInstanceOf(IOError);
    expect((second as IOError).message).toContain("reopen the file");
    expect(handle.calls.filter((call) => call === "datasync")).toHaveLength(2);
    await file.write(0, bytes("still writable"));
  });

  it("close waits for operations in flight, then closes the descriptor once", async () => {
    const handle = new FakeHandle();
    let open = (): void => undefined;
    handle.gate = new Promise((resolve) => {
      open = resolve;
    });
    const file = new FsDiskFile("a.log", handle);
    const write = file.write(0, bytes("abc"));
    const sync = file.sync();
    const closed = file.close();
    expect(file.close()).toBe(closed);
    await expect(file.size()).rejects.toBeInstanceOf(ClosedError);
    await Promise.resolve();
    expect(handle.closed).toBe(false);
    open();
    await Promise.all([write, sync, closed]);
    expect(handle.calls).toEqual(["write", "datasync", "close"]);
    await file.close();
    expect(handle.calls.filter((call) => call === "close")).toHaveLength(1);
  });

  it("validates offsets and lengths before touching the handle", async () => {
    const handle = new FakeHandle();
    const file = new FsDiskFile("a.log", handle);
    for (const attempt of [
      () => file.read(-1, 1),
      () => file.read(0, -1),
      () => file.read(0.5, 1),
      () => file.read(2 ** 53, 1),
      () => file.write(Number.POSITIVE_INFINITY, bytes("x")),
      () => file.truncate(Number.NaN),
    ]) {
      await expect(attempt()).rejects.toBeInstanceOf(InvalidArgumentError);
    }
    expect(handle.calls).toEqual([]);
  });

  it("asks the size before allocating a read far larger than the file", async () => {
    const handle = new FakeHandle();
    const file = new FsDiskFile("a.log", handle);
    await file.write(0, bytes("tiny"));
    const read = await file.read(1, 2 ** 52);
    expect(new TextDecoder().decode(read)).toBe("iny");
    expect(await file.read(10, 2 ** 52)).toHaveLength(0);
  });
});
