import {
  CorruptionError,
  IOError,
  parentDiskPath,
  type Disk,
  type DiskFile,
} from "@pods/core-interfaces";

// The persisted upper bound: one small file replaced atomically (write a temporary file, sync it,
// rename it over the old one; the Disk contract makes the rename atomic and durable when it
// resolves). 20 bytes: the magic "HLCB", the bound as a big-endian u64 (ms since the epoch), and
// the bound's bitwise complement, so a damaged file is detected rather than read as a lower bound.

const magic = [0x48, 0x4c, 0x43, 0x42]; // "HLCB"
const boundFileBytes = 20;
const u64Mask = 0xffff_ffff_ffff_ffffn;

function encodeBound(boundMs: number): Uint8Array {
  const bytes = new Uint8Array(boundFileBytes);
  const view = new DataView(bytes.buffer);
  bytes.set(magic, 0);
  view.setBigUint64(4, BigInt(boundMs));
  view.setBigUint64(12, ~BigInt(boundMs) & u64Mask);
  return bytes;
}

/**
 * Reads the persisted bound, or `undefined` when there is no file (a first start).
 *
 * @throws CorruptionError when the file exists but is damaged.
 */
export async function readBoundFile(disk: Disk, path: string): Promise<number | undefined> {
  let file: DiskFile;
  try {
    file = await disk.open(path);
  } catch (error) {
    if (error instanceof IOError && error.failure === "not-found") return undefined;
    throw error;
  }
  try {
    const bytes = await file.read(0, boundFileBytes + 1);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const what = "the hybrid clock's persisted upper bound is damaged";
    const advice =
      "; restore it from a backup, or — only once this node's wall clock is certainly past every " +
      "timestamp it issued — remove the file to start from the wall clock";
    if (bytes.length !== boundFileBytes || magic.some((byte, i) => bytes[i] !== byte)) {
      throw new CorruptionError(
        `${what} (expected ${boundFileBytes} bytes starting "HLCB")${advice}`,
        {
          file: path,
          offset: 0,
        },
      );
    }
    const bound = view.getBigUint64(4);
    if ((~bound & u64Mask) !== view.getBigUint64(12) || bound > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new CorruptionError(`${what} (checksum mismatch)${advice}`, { file: path, offset: 4 });
    }
    return Number(bound);
  } finally {
    await file.close();
  }
}

/** Creates the bound file's directory if it has one. */
export async function prepareBoundDirectory(disk: Disk, path: string): Promise<void> {
  const dir = parentDiskPath(path);
  if (dir !== "") await disk.mkdir(dir);
}

/** Makes `boundMs` the persisted bound, durably; resolves once it survives a crash. */
export async function writeBoundFile(disk: Disk, path: string, boundMs: number): Promise<void> {
  const temporary = `${path}.tmp`;
  const file = await disk.open(temporary, { create: true });
  try {
    await file.truncate(0);
    await file.write(0, encodeBound(boundMs));
    await file.sync();
  } finally {
    await file.close();
  }
  await disk.rename(temporary, path);
}
