import { readFrame } from "@pods/codec";
import { runOnOneNode, type OneNodeContext, type SimDiskOptions } from "@pods/simulation";
import { WriteAheadLog, type WriteAheadLogOptions } from "../src/index.ts";

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

/** A payload from text. */
export const bytes = (value: string): Uint8Array => encoder.encode(value);
/** A payload as text. */
export const textOf = (value: Uint8Array): string => decoder.decode(value);

/** Opens a log on the node's current disk. */
export function openLog(
  context: SimContext,
  options: WriteAheadLogOptions = {},
): Promise<WriteAheadLog> {
  return WriteAheadLog.open(context.env(), options);
}

/**
 * The indexes of the whole frames in `image` (a segment file's bytes) with a valid checksum, in
 * order, after the segment header: what a crash would keep of it if `image` is the durable image.
 */
export function indexesIn(image: Uint8Array): number[] {
  const indexes: number[] = [];
  let offset = 0;
  let first = true;
  for (;;) {
    const result = readFrame(image, offset);
    if (result.status !== "frame") return indexes;
    if (!first) {
      const view = new DataView(result.payload.buffer, result.payload.byteOffset);
      indexes.push(Number(view.getBigUint64(0)));
    }
    first = false;
    offset = result.end;
  }
}

/** Where record `index`'s frame starts in `image` (a segment file), or -1. */
export function offsetOf(image: Uint8Array, index: number): number {
  let offset = 0;
  let first = true;
  for (;;) {
    const result = readFrame(image, offset);
    if (result.status !== "frame") return -1;
    if (!first) {
      const view = new DataView(result.payload.buffer, result.payload.byteOffset);
      if (Number(view.getBigUint64(0)) === index) return offset;
    }
    first = false;
    offset = result.end;
  }
}
