// The replicated state: a map from key to value, changed only by applying committed commands.
import { createMsgpackCodec } from "@pods/codec";
import type { CommittedCommand, StateMachine } from "@pods/core-interfaces";
import { DecodeError, InvalidArgumentError } from "@pods/core-interfaces";
import { kvCommandCodec, kvResultCodec } from "./kv-commands.ts";

/** A stored value and the log index of the write that stored it. */
export interface StoredValue {
  /** The value's bytes. */
  readonly value: Uint8Array;
  /** The log index of the command that wrote it (its version). */
  readonly version: number;
}

type SnapshotRow = [key: string, value: Uint8Array, version: number];

interface SnapshotBody {
  readonly appliedIndex: number;
  readonly rows: SnapshotRow[];
}

function validateSnapshot(value: unknown): SnapshotBody {
  const body = value as Partial<SnapshotBody> | null;
  if (typeof body !== "object" || body === null || !Array.isArray(body.rows)) {
    throw new InvalidArgumentError("A kv snapshot must be a map with `rows`.");
  }
  if (!Number.isSafeInteger(body.appliedIndex)) {
    throw new InvalidArgumentError("A kv snapshot needs an integer `appliedIndex`.");
  }
  for (const row of body.rows) {
    if (
      !Array.isArray(row) ||
      typeof row[0] !== "string" ||
      !(row[1] instanceof Uint8Array) ||
      !Number.isSafeInteger(row[2])
    ) {
      throw new InvalidArgumentError("A kv snapshot row must be [key, value bytes, version].");
    }
  }
  return body as SnapshotBody;
}

const snapshotCodec = createMsgpackCodec<SnapshotBody>({ validate: validateSnapshot });

/**
 * The key-value state machine: deterministic, so every replica that applies the same commands
 * holds the same map. A command that does not decode is answered with an error result on every
 * replica alike, never thrown (a bad proposal must not stop the replicas).
 */
export class KvStateMachine implements StateMachine<Uint8Array> {
  readonly #map = new Map<string, StoredValue>();
  readonly #onApplied: (index: number) => void;
  #appliedIndex = 0;

  /** @param onApplied - called with the applied index after every apply and restore. */
  constructor(onApplied: (index: number) => void = () => undefined) {
    this.#onApplied = onApplied;
  }

  /** The index of the last command applied (0 before any). */
  get appliedIndex(): number {
    return this.#appliedIndex;
  }

  /** Keys stored. */
  get size(): number {
    return this.#map.size;
  }

  /** The value of `key` in the applied state, or undefined. */
  get(key: string): StoredValue | undefined {
    return this.#map.get(key);
  }

  /** Applies a put or delete; returns the encoded {@link KvResult}. */
  apply(committed: CommittedCommand): Uint8Array {
    this.#appliedIndex = committed.index;
    const result = this.#execute(committed);
    this.#onApplied(committed.index);
    return result;
  }

  #execute(committed: CommittedCommand): Uint8Array {
    let command;
    try {
      command = kvCommandCodec.decode(committed.command);
    } catch (error) {
      if (error instanceof DecodeError) return kvResultCodec.encode({ rejected: error.message });
      throw error;
    }
    // One hash lookup per command: whether the key existed shows in the map's size (a put) or
    // in what delete returns.
    let existed: boolean;
    if (command.op === "put") {
      const size = this.#map.size;
      this.#map.set(command.key, { value: command.value, version: committed.index });
      existed = this.#map.size === size;
    } else {
      existed = this.#map.delete(command.key);
    }
    return kvResultCodec.encode({ version: committed.index, existed });
  }

  /** The whole map, with versions, as bytes. */
  snapshot(): Uint8Array {
    const rows: SnapshotRow[] = [];
    for (const [key, stored] of this.#map) rows.push([key, stored.value, stored.version]);
    return snapshotCodec.encode({ appliedIndex: this.#appliedIndex, rows });
  }

  /** Replaces the map with a snapshot's. */
  restore(snapshot: Uint8Array): void {
    const body = snapshotCodec.decode(snapshot);
    this.#map.clear();
    for (const [key, value, version] of body.rows) this.#map.set(key, { value, version });
    this.#appliedIndex = body.appliedIndex;
    this.#onApplied(body.appliedIndex);
  }
}
