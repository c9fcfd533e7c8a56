import { CorruptionError, invariant, type DiskFile } from "@pods/core-interfaces";
import { crc32c, encodeFrame, frameHeaderBytes, readFrame } from "@pods/codec";

/** The snapshot file format version this package writes and reads. */
export const snapshotFormatVersion = 1;

/** The first bytes of a snapshot header: `FF 50 53 4E` ("\xFFPSN"). */
const magic = [0xff, 0x50, 0x53, 0x4e] as const;

/** Bytes of the header payload before the membership bytes. */
export const snapshotHeaderFixedBytes = 44;

/** The smallest state chunk a snapshot file may be written with: 4 KiB (frame overhead < 0.2 %). */
export const snapshotChunkBytesMin = 4096;

/** The largest state chunk a snapshot file may be written with: 16 MiB. */
export const snapshotChunkBytesMax = 16 * 1024 * 1024;

/** Payload bytes gathered into one disk write while saving. */
const writeBatchBytes = 4 * 1024 * 1024;

/** What a snapshot file's header says. @internal */
export interface SnapshotHeader {
  readonly lastIncludedIndex: number;
  readonly lastIncludedGeneration: number;
  readonly stateBytes: number;
  /** The state's checksum: CRC32C over the CRC32Cs of its frames (4 bytes each, big-endian). */
  readonly checksum: number;
  /** The size of every state chunk frame but the last. */
  readonly chunkBytes: number;
  readonly membership: Uint8Array;
}

/** The bounds a reader enforces before spending memory. @internal */
export interface SnapshotLimits {
  readonly stateBytesMax: number;
  readonly membershipBytesMax: number;
}

/** The size of a snapshot file with this header. @internal */
export function snapshotFileBytes(header: SnapshotHeader): number {
  const chunks = Math.ceil(header.stateBytes / header.chunkBytes);
  return (
    frameHeaderBytes +
    snapshotHeaderFixedBytes +
    header.membership.length +
    chunks * frameHeaderBytes +
    header.stateBytes
  );
}

function encodeHeaderPayload(header: SnapshotHeader): Uint8Array {
  const payload = new Uint8Array(snapshotHeaderFixedBytes + header.membership.length);
  const view = new DataView(payload.buffer);
  payload.set(magic, 0);
  payload[4] = snapshotFormatVersion;
  view.setBigUint64(8, BigInt(header.lastIncludedIndex));
  view.setBigUint64(16, BigInt(header.lastIncludedGeneration));
  view.setBigUint64(24, BigInt(header.stateBytes));
  view.setUint32(32, header.checksum);
  view.setUint32(36, header.chunkBytes);
  view.setUint32(40, header.membership.length);
  payload.set(header.membership, snapshotHeaderFixedBytes);
  return payload;
}

/** A state chunk's frame header (payload length, CRC32C), as `@pods/codec` frames it. */
function chunkFrameHeader(chunk: Uint8Array): Uint8Array {
  const header = new Uint8Array(frameHeaderBytes);
  const view = new DataView(header.buffer);
  view.setUint32(0, chunk.length);
  view.setUint32(4, crc32c(chunk, crc32c(header.subarray(0, 4))));
  return header;
}

/** What `writeSnapshotFile` wrote. @internal */
export interface WrittenSnapshot {
  readonly header: SnapshotHeader;
  readonly fileBytes: number;
}

/**
 * Writes a whole snapshot file from offset 0: the header frame, then the state in frames of
 * `chunkBytes`, gathered into writes of a few MiB. Each chunk's CRC32C is computed once, for its
 * frame and for the state's checksum. Not synced. @internal
 */
export async function writeSnapshotFile(
  file: DiskFile,
  fields: Omit<SnapshotHeader, "checksum" | "stateBytes">,
  state: Uint8Array,
): Promise<WrittenSnapshot> {
  const chunkHeaders: Uint8Array[] = [];
  const crcs = new Uint8Array(4 * Math.ceil(state.length / fields.chunkBytes));
  for (let start = 0; start < state.length; start += fields.chunkBytes) {
    const header = chunkFrameHeader(state.subarray(start, start + fields.chunkBytes));
    crcs.set(header.subarray(4), 4 * chunkHeaders.length);
    chunkHeaders.push(header);
  }
  const header: SnapshotHeader = { ...fields, stateBytes: state.length, checksum: crc32c(crcs) };
  const headerPayload = encodeHeaderPayload(header);
  const headerFrame = encodeFrame(headerPayload, { frameBytesMax: headerPayload.length });
  await file.write(0, headerFrame);
  let offset = headerFrame.length;
  let chunk = 0;
  while (chunk < chunkHeaders.length) {
    const first = chunk;
    let bytes = 0;
    do {
      bytes +=
        frameHeaderBytes + Math.min(fields.chunkBytes, state.length - chunk * fields.chunkBytes);
      chunk++;
    } while (chunk < chunkHeaders.length && bytes < writeBatchBytes);
    const batch = new Uint8Array(bytes);
    let at = 0;
    for (let k = first; k < chunk; k++) {
      const payload = state.subarray(k * fields.chunkBytes, (k + 1) * fields.chunkBytes);
      batch.set(chunkHeaders[k]!, at);
      batch.set(payload, at + frameHeaderBytes);
      at += frameHeaderBytes + payload.length;
    }
    await file.write(offset, batch);
    offset += bytes;
  }
  invariant(
    offset === snapshotFileBytes(header),
    "a snapshot file has the size its header implies",
  );
  return { header, fileBytes: offset };
}

function damaged(path: string, offset: number, problem: string): CorruptionError {
  return new CorruptionError(`snapshot file is damaged: ${problem}`, { file: path, offset });
}

function readU64(view: DataView, at: number): number {
  const value = view.getBigUint64(at);
  return value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : Number.NaN;
}

function decodeHeaderPayload(
  payload: Uint8Array,
  path: string,
  limits: SnapshotLimits,
): SnapshotHeader {
  const view = new DataView(payload.buffer, payload.byteOffset, payload.length);
  if (payload.length < snapshotHeaderFixedBytes || magic.some((byte, at) => payload[at] !== byte)) {
    throw damaged(path, 0, "it does not start with a snapshot header");
  }
  if (payload[4] !== snapshotFormatVersion) {
    throw damaged(
      path,
      0,
      `format version ${payload[4]} is not ${snapshotFormatVersion}; upgrade @pods/low-water-mark`,
    );
  }
  const header: SnapshotHeader = {
    lastIncludedIndex: readU64(view, 8),
    lastIncludedGeneration: readU64(view, 16),
    stateBytes: readU64(view, 24),
    checksum: view.getUint32(32),
    chunkBytes: view.getUint32(36),
    membership: payload.slice(snapshotHeaderFixedBytes),
  };
  const membershipBytes = view.getUint32(40);
  const problem =
    payload[5] !== 0 || payload[6] !== 0 || payload[7] !== 0
      ? "reserved header bytes are not zero"
      : !(header.lastIncludedIndex >= 1) || !(header.lastIncludedGeneration >= 0)
        ? "the header's index or generation is out of range"
        : !(header.stateBytes <= limits.stateBytesMax)
          ? `the state has ${header.stateBytes} bytes, more than stateBytesMax (${limits.stateBytesMax})`
          : header.chunkBytes < snapshotChunkBytesMin || header.chunkBytes > snapshotChunkBytesMax
            ? `the chunk size ${header.chunkBytes} is out of range`
            : membershipBytes !== header.membership.length ||
                membershipBytes > limits.membershipBytesMax
              ? "the membership length does not match the header"
              : undefined;
  if (problem !== undefined) throw damaged(path, 0, problem);
  return header;
}

async function readHeaderFrame(
  file: DiskFile,
  path: string,
  payloadBytesMax: number,
): Promise<Uint8Array> {
  const lengthBytes = await file.read(0, frameHeaderBytes);
  if (lengthBytes.length < frameHeaderBytes) throw damaged(path, 0, "it ends inside its header");
  const payloadBytes = new DataView(lengthBytes.buffer, lengthBytes.byteOffset).getUint32(0);
  if (payloadBytes > payloadBytesMax) {
    throw damaged(path, 0, `the header frame claims ${payloadBytes} bytes, more than allowed`);
  }
  const bytes = await file.read(0, frameHeaderBytes + payloadBytes);
  const result = readFrame(bytes, 0, { frameBytesMax: payloadBytesMax });
  if (result.status !== "frame") throw damaged(path, 0, `the header frame is ${result.status}`);
  return result.payload;
}

/** A verified snapshot file. @internal */
export interface ReadSnapshot {
  readonly header: SnapshotHeader;
  readonly fileBytes: number;
  /** The state, when asked for; otherwise only verified. */
  readonly state: Uint8Array | undefined;
}

/**
 * Reads and verifies a whole snapshot file: every frame's CRC32C, the header, the exact file
 * size, and the CRC32C of the whole state. Memory use is one chunk unless `keepState`.
 *
 * @throws `CorruptionError` naming the file and offset of the first problem.
 * @internal
 */
export async function readSnapshotFile(
  file: DiskFile,
  path: string,
  limits: SnapshotLimits,
  keepState: boolean,
): Promise<ReadSnapshot> {
  const size = await file.size();
  const headerPayload = await readHeaderFrame(
    file,
    path,
    snapshotHeaderFixedBytes + limits.membershipBytesMax,
  );
  const header = decodeHeaderPayload(headerPayload, path, limits);
  const fileBytes = snapshotFileBytes(header);
  if (size !== fileBytes) {
    throw damaged(path, Math.min(size, fileBytes), `it has ${size} bytes, not ${fileBytes}`);
  }
  const state = keepState ? new Uint8Array(header.stateBytes) : undefined;
  let offset = frameHeaderBytes + headerPayload.length;
  let checksum = 0;
  for (let start = 0; start < header.stateBytes; start += header.chunkBytes) {
    const expected = Math.min(header.chunkBytes, header.stateBytes - start);
    const bytes = await file.read(offset, frameHeaderBytes + expected);
    const result = readFrame(bytes, 0, { frameBytesMax: header.chunkBytes });
    if (result.status !== "frame" || result.end !== bytes.length) {
      throw damaged(path, offset, `state chunk at byte ${start} does not verify`);
    }
    checksum = crc32c(bytes.subarray(4, frameHeaderBytes), checksum);
    state?.set(result.payload, start);
    offset += bytes.length;
  }
  if (checksum !== header.checksum) {
    throw damaged(path, 0, "the state's checksum does not match the header");
  }
  return { header, fileBytes, state };
}
