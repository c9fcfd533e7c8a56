import type { SnapshotChunk } from "./messages.ts";

/** What a follower does with a snapshot chunk. */
export type IntakeVerdict =
  | {
      /** Out of order (a chunk lost or repeated): ask for the chunk at `bytesReceived`. */
      readonly kind: "refused";
      readonly bytesReceived: number;
    }
  | {
      /** Write it; `complete` when it was the last one. */
      readonly kind: "accepted";
      readonly bytesReceived: number;
      readonly complete: boolean;
    };

/**
 * A follower's view of the snapshot it is receiving: chunks are accepted strictly in order, and a
 * chunk at offset 0 starts the transfer over (the leader restarts a stalled one).
 */
export class SnapshotIntake {
  #receiving: { readonly index: number; bytes: number } | undefined;

  /** Forgets the transfer in progress. */
  reset(): void {
    this.#receiving = undefined;
  }

  /** Judges `chunk`. */
  accept(chunk: SnapshotChunk): IntakeVerdict {
    const index = chunk.lastIncludedIndex;
    if (chunk.offset === 0) this.#receiving = { index, bytes: 0 };
    const receiving = this.#receiving;
    if (receiving?.index !== index || receiving.bytes !== chunk.offset) {
      return { kind: "refused", bytesReceived: receiving?.index === index ? receiving.bytes : 0 };
    }
    receiving.bytes += chunk.data.length;
    const complete = receiving.bytes >= chunk.fileBytes;
    if (complete) this.#receiving = undefined;
    return { kind: "accepted", bytesReceived: receiving.bytes, complete };
  }
}
