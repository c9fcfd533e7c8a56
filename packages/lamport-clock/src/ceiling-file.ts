import {
  CorruptionError,
  IOError,
  parentDiskPath,
  type Disk,
  type DiskFile,
} from "@pods/core-interfaces";

// The persisted ceiling: one small file replaced atomically (write a temporary file, sync it,
// rename it over the old one; the Disk contract makes the rename atomic and durable when it
// resolves). 20 bytes: the magic "LCCF", the ceiling as a big-endian u64, and its bitwise
// complement, so a damaged file is detected rather than read as a lower ceiling.

const magic = [0x4c, 0x43, 0x43, 0x46]; // "LCCF"
const ceilingFileBytes = 20;
const u64Mask = 0xffff_ffff_ffff_ffffn;

function encodeCeiling(ceiling: number): Uint8Array {
  const bytes = new Uint8Array(ceilingFileBytes);
  const view = new DataView(bytes.buffer);
  bytes.set(magic, 0);
  view.setBigUint64(4, BigInt(ceiling));
  view.setBigUint64(12, ~BigInt(ceiling) & u64Mask);
  return bytes;
}

/**
 * Reads the persisted ceiling, or `undefined` when there is no file (a first start).
 *
 * @throws CorruptionError when the file exists but is damaged.
 */
export async function readCeilingFile(disk: Disk, path: string): Promise<number | undefined> {
  let file: DiskFile;
  try {
    file = await disk.open(path);
  } catch (error) {
    if (error instanceof IOError && error.failure === "not-found") return undefined;
    throw error;
  }
  try {
    const bytes = await file.read(0, ceilingFileBytes + 1);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const what = "the Lamport clock's persisted ceiling is damaged";
    const advice =
      "; restore it from a backup, or write a ceiling above every timestamp this node issued " +
      "(e.g. the highest timestamp in its data) — removing it would let the node reuse timestamps";
    if (bytes.length !== ceilingFileBytes || magic.some((byte, i) => bytes[i] !== byte)) {
      throw new CorruptionError(
        `${what} (expected ${ceilingFileBytes} bytes starting "LCCF")${advice}`,
        { file: path, offset: 0 },
      );
    }
    const ceiling = view.getBigUint64(4);
    if (
      (~ceiling & u64Mask) !== view.getBigUint64(12) ||
      ceiling > BigInt(Number.MAX_SAFE_INTEGER)
    ) {
      throw new CorruptionError(`${what} (checksum mismatch)${advice}`, { file: path, offset: 4 });
    }
    return Number(ceiling);
  } finally {
    await file.close();
  }
}

/** Creates the ceiling file's directory if it has one. */
export async function prepareCeilingDirectory(disk: Disk, path: string): Promise<void> {
  const dir = parentDiskPath(path);
  if (dir !== "") await disk.mkdir(dir);
}

/** Makes `ceiling` the persisted ceiling, durably; resolves once it survives a crash. */
export async function writeCeilingFile(disk: Disk, path: string, ceiling: number): Promise<void> {
  const temporary = `${path}.tmp`;
  const file = await disk.open(temporary, { create: true });
  try {
    await file.truncate(0);
    await file.write(0, encodeCeiling(ceiling));
    await file.sync();
  } finally {
    await file.close();
  }
  await disk.rename(temporary, path);
}
