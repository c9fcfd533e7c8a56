import { CorruptionError, type Disk, type Logger } from "@pods/core-interfaces";
import {
  SnapshotStore,
  type SnapshotMeta,
  type SnapshotReader,
  type SnapshotReceiver,
} from "@pods/low-water-mark";
import { encodeMembership, type Membership } from "./membership.ts";
import type { SnapshotChunk } from "./messages.ts";
import type { SnapshotPosition } from "./core-types.ts";

/**
 * The snapshot's extra bytes: the cluster time of its last included entry (float64), then the
 * membership as of that entry (`encodeMembership`).
 */
function encodeExtra(clusterTimeMs: number, membership: Membership): Uint8Array {
  const encoded = encodeMembership(membership);
  const bytes = new Uint8Array(8 + encoded.length);
  new DataView(bytes.buffer).setFloat64(0, clusterTimeMs);
  bytes.set(encoded, 8);
  return bytes;
}

/** Where a stored snapshot stands, and the membership as of it. */
export interface StoredSnapshot {
  /** Its last included entry. */
  readonly position: SnapshotPosition;
  /** The membership as of that entry, encoded. */
  readonly membership: Uint8Array;
}

function storedOf(meta: SnapshotMeta): StoredSnapshot {
  if (meta.membership.length < 8) {
    throw new CorruptionError("a replicated-log snapshot lacks its cluster time", {
      file: meta.file,
    });
  }
  const view = new DataView(meta.membership.buffer, meta.membership.byteOffset, 8);
  return {
    position: {
      index: meta.lastIncludedIndex,
      generation: meta.lastIncludedGeneration,
      clusterTimeMs: view.getFloat64(0),
    },
    membership: meta.membership.subarray(8),
  };
}

/** A snapshot file's chunk, ready to be sent. */
export interface ChunkRead extends StoredSnapshot {
  /** The size of its file, in bytes. */
  readonly fileBytes: number;
  /** The chunk's bytes. */
  readonly data: Uint8Array;
}

/**
 * A node's snapshots on disk (a `SnapshotStore` of `@pods/low-water-mark`: temp file, sync,
 * rename, CRC32C per frame): saving the state machine's state, streaming a snapshot's file to a
 * follower chunk by chunk, and assembling one received from the leader, installed atomically.
 */
export class NodeSnapshots {
  readonly #store: SnapshotStore;
  #receiver: SnapshotReceiver | undefined;
  #reader: SnapshotReader | undefined;

  private constructor(store: SnapshotStore) {
    this.#store = store;
  }

  /** Opens the snapshots in `dir` (removing temporary and damaged files). */
  static async open(disk: Disk, dir: string, logger: Logger): Promise<NodeSnapshots> {
    return new NodeSnapshots(await SnapshotStore.open(disk, { dir, logger }));
  }

  /** The newest snapshot, if any. */
  latest(): StoredSnapshot | undefined {
    const meta = this.#store.latest();
    return meta === undefined ? undefined : storedOf(meta);
  }

  /** The state of the snapshot at `index` (the newest by default), verified. */
  async state(index?: number): Promise<Uint8Array> {
    return (await this.#store.load(index)).state;
  }

  /** Saves `state` as the snapshot at `position` (durable when it resolves). */
  async save(position: SnapshotPosition, membership: Membership, state: Uint8Array): Promise<void> {
    await this.#store.save({
      lastIncludedIndex: position.index,
      lastIncludedGeneration: position.generation,
      membership: encodeExtra(position.clusterTimeMs, membership),
      state,
    });
  }

  /** Reads the chunk at `offset` of the snapshot at `index`, for a follower. */
  async chunk(index: number, offset: number, bytesMax: number): Promise<ChunkRead> {
    if (this.#reader?.meta.lastIncludedIndex !== index) {
      await this.#reader?.close();
      this.#reader = undefined;
      this.#reader = await this.#store.openReader(index);
    }
    const reader = this.#reader;
    return {
      ...storedOf(reader.meta),
      fileBytes: reader.meta.fileBytes,
      data: await reader.read(offset, bytesMax),
    };
  }

  /** Writes a received chunk (accepted in order by the core; offset 0 starts over). */
  async write(chunk: SnapshotChunk): Promise<void> {
    if (chunk.offset === 0) {
      await this.#receiver?.abort();
      this.#receiver = this.#store.receive(chunk.fileBytes);
    }
    await this.#receiver!.write(chunk.offset, chunk.data);
  }

  /** Syncs, verifies and installs the received snapshot (atomically). */
  async install(): Promise<void> {
    const receiver = this.#receiver!;
    this.#receiver = undefined;
    await receiver.finish();
  }

  /** Releases files. */
  async close(): Promise<void> {
    await this.#reader?.close();
    await this.#receiver?.abort();
  }
}
