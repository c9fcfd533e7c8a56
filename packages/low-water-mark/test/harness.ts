import { runOnOneNode, type OneNodeContext, type SimDiskOptions } from "@pods/simulation";
import {
  LowWaterMark,
  type LowWaterMarkOptions,
  type Snapshot,
  type SnapshotStateMachine,
} from "../src/index.ts";

/** What a test running inside the simulated node gets. */
export type SimContext = OneNodeContext;

/** Runs `test` as a task on a one-node simulation (node "athens"), driving virtual time. */
export function inSimulation<T>(
  seed: number,
  test: (context: SimContext) => Promise<T>,
  disk: SimDiskOptions = {},
): Promise<T> {
  return runOnOneNode(test, { seed, disk, timeoutMs: 100_000_000 });
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Bytes of a text. */
export const bytes = (value: string): Uint8Array => encoder.encode(value);
/** The text of bytes. */
export const textOf = (value: Uint8Array): string => decoder.decode(value);

/** A put command's payload. */
export const put = (key: string, value: string): Uint8Array => bytes(JSON.stringify([key, value]));

/**
 * The book's key-value store as a state machine: entries are `[key, value]` puts; a snapshot is
 * the map as JSON plus the index it was captured at (so tests can check it).
 */
export class KvMachine implements SnapshotStateMachine {
  readonly state = new Map<string, string>();
  /** Indexes captured, in order. */
  readonly captured: number[] = [];
  /** The snapshots restored, in order. */
  readonly restored: number[] = [];

  apply(payload: Uint8Array): void {
    const [key, value] = JSON.parse(textOf(payload)) as [string, string];
    this.state.set(key, value);
  }

  capture(appliedIndex: number): { state: Uint8Array; membership: Uint8Array } {
    this.captured.push(appliedIndex);
    return {
      state: bytes(JSON.stringify([...this.state])),
      membership: bytes(`members at ${appliedIndex}`),
    };
  }

  restore(snapshot: Snapshot): void {
    this.restored.push(snapshot.lastIncludedIndex);
    this.state.clear();
    for (const [key, value] of JSON.parse(textOf(snapshot.state)) as [string, string][]) {
      this.state.set(key, value);
    }
  }

  replay(entry: { payload: Uint8Array }): void {
    this.apply(entry.payload);
  }

  /** The state as a plain object. */
  toObject(): Record<string, string> {
    return Object.fromEntries(this.state);
  }
}

/** The state folding `payloads` in order. */
export function fold(payloads: Iterable<Uint8Array>): Record<string, string> {
  const machine = new KvMachine();
  for (const payload of payloads) machine.apply(payload);
  return machine.toObject();
}

/** Opens a low-water mark over a fresh `KvMachine` on the node's current disk. */
export async function openStore(
  context: SimContext,
  options: Omit<LowWaterMarkOptions, "stateMachine"> = {},
  machine = new KvMachine(),
): Promise<{ store: LowWaterMark; machine: KvMachine }> {
  const store = await LowWaterMark.open(context.env(), { ...options, stateMachine: machine });
  return { store, machine };
}

/** Appends a put durably, applies it, and tells the store; resolves with its index. */
export async function putAndApply(
  store: LowWaterMark,
  machine: KvMachine,
  key: string,
  value: string,
): Promise<number> {
  const payload = put(key, value);
  const index = await store.wal.append({ payload });
  machine.apply(payload);
  store.noteApplied(index, payload.length);
  return index;
}
