import {
  CorruptionError,
  IOError,
  parentDiskPath,
  type Disk,
  type DiskFile,
} from "@pods/core-interfaces";

// A persisted ceiling: one small file replaced atomically (write a temporary file, sync it,
// rename it over the old one; the Disk contract makes the rename atomic and durable when it
// resolves). 20 bytes: a 4-character magic naming what the file holds, the ceiling as a
// big-endian u64, and its bitwise complement, so a damaged file is detected rather than read as a
// lower ceiling.

const ceilingFileBytes = 20;
const u64Mask = 0xffff_ffff_ffff_ffffn;

/** How a ceiling file is marked, and what its damage reports say. */
export interface CeilingFileFormat {
  /** Four printable ASCII characters at the start of the file naming what it holds, e.g. `"LCCF"`. */
  readonly magic: string;
  /** What the file holds, for messages, e.g. `"the Lamport clock's persisted ceiling"`. */
  readonly description: string;
  /** What to do when the file is damaged, for the `CorruptionError`. */
  readonly repairAdvice: string;
}

function encodeCeiling(format: CeilingFileFormat, ceiling: number): Uint8Array {
  const bytes = new Uint8Array(ceilingFileBytes);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < 4; i++) bytes[i] = format.magic.charCodeAt(i);
  view.setBigUint64(4, BigInt(ceiling));
  view.setBigUint64(12, ~BigInt(ceiling) & u64Mask);
  return bytes;
}

/**
 * Reads the persisted ceiling, or `undefined` when there is no file (a first start).
 *
 * @throws CorruptionError when the file exists but is damaged.
 */
export async function readCeilingFile(
  disk: Disk,
  path: string,
  format: CeilingFileFormat,
): Promise<number | undefined> {
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
    const damaged = (problem: string, offset: number): CorruptionError =>
      new CorruptionError(`${format.description} is damaged (${problem}); ${format.repairAdvice}`, {
        file: path,
        offset,
      });
    const magicMatches = [0, 1, 2, 3].every((i) => bytes[i] === format.magic.charCodeAt(i));
    if (bytes.length !== ceilingFileBytes || !magicMatches) {
      throw damaged(`expected ${ceilingFileBytes} bytes starting "${format.magic}"`, 0);
    }
    const ceiling = view.getBigUint64(4);
    if (
      (~ceiling & u64Mask) !== view.getBigUint64(12) ||
      ceiling > BigInt(Number.MAX_SAFE_INTEGER)
    ) {
      throw damaged("checksum mismatch", 4);
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
export async function writeCeilingFile(
  disk: Disk,
  path: string,
  format: CeilingFileFormat,
  ceiling: number,
): Promise<void> {
  const temporary = `${path}.tmp`;
  const file = await disk.open(temporary, { create: true });
  try {
    await file.truncate(0);
    await file.write(0, encodeCeiling(format, ceiling));
    await file.sync();
  } finally {
    await file.close();
  }
  await disk.rename(temporary, path);
}
