import { frameHeaderBytes } from "@pods/codec";
import type { PendingRequest } from "./pending-request.ts";
import { envelopeBytes, type Kind } from "./wire.ts";

/**
 * A frame waiting to be written: its envelope (kind, correlation id) and body, kept apart so that
 * the writer builds the frame in place (`writeFrames`) without an intermediate copy.
 *
 * @internal
 */
export interface OutboundFrame<M> {
  readonly kind: Kind;
  /** The correlation id of a request, response or failure; 0 otherwise. */
  readonly id: number;
  /** The codec bytes (or a failure's body). */
  readonly body: Uint8Array;
  /** The request it carries, if it is one. */
  readonly request: PendingRequest<M> | undefined;
  /** For an answer: the epoch of the connection the request came on; 0 for other frames. */
  readonly epoch: number;
}

/** The payload bytes of a frame: envelope and body. @internal */
export function payloadBytes(frame: Pick<OutboundFrame<unknown>, "kind" | "body">): number {
  return envelopeBytes(frame.kind) + frame.body.length;
}

/** What {@link Outbox.takeBatch} hands to the writer. @internal */
export interface Batch<M> {
  readonly frames: OutboundFrame<M>[];
  /** Their total size on the wire, headers included. */
  readonly bytes: number;
}

/**
 * The frames waiting for a peer's connection, in send order, with their size in bytes (frame
 * headers included) for the send-queue bound.
 *
 * @internal
 */
export class Outbox<M> {
  #frames: OutboundFrame<M>[] = [];
  #head = 0;
  #bytes = 0;

  /** Frames waiting. */
  get length(): number {
    return this.#frames.length - this.#head;
  }

  /** Bytes waiting, frame headers included. */
  get bytes(): number {
    return this.#bytes;
  }

  push(frame: OutboundFrame<M>): void {
    this.#frames.push(frame);
    this.#bytes += frameHeaderBytes + payloadBytes(frame);
  }

  /**
   * Takes frames from the front, up to `bytesMax` (at least one frame), for one write on the
   * connection of `epoch`. Requests settled while queued (timed out) and answers meant for another
   * connection are dropped on the way.
   */
  takeBatch(bytesMax: number, epoch: number): Batch<M> {
    const frames: OutboundFrame<M>[] = [];
    let bytes = 0;
    while (this.#head < this.#frames.length) {
      const frame = this.#frames[this.#head] as OutboundFrame<M>;
      const frameBytes = frameHeaderBytes + payloadBytes(frame);
      if (frames.length > 0 && bytes + frameBytes > bytesMax) break;
      this.#frames[this.#head] = undefined as unknown as OutboundFrame<M>;
      this.#head++;
      this.#bytes -= frameBytes;
      if (frame.request?.state === "settled") continue;
      if (frame.epoch !== 0 && frame.epoch !== epoch) continue;
      frames.push(frame);
      bytes += frameBytes;
    }
    this.#compact();
    return { frames, bytes };
  }

  /** Removes every frame; returns the requests among them and counts the rest. */
  clear(): { requests: PendingRequest<M>[]; messages: number; responses: number } {
    const requests: PendingRequest<M>[] = [];
    let messages = 0;
    let responses = 0;
    for (let index = this.#head; index < this.#frames.length; index++) {
      const frame = this.#frames[index] as OutboundFrame<M>;
      if (frame.request !== undefined) requests.push(frame.request);
      else if (frame.epoch !== 0) responses++;
      else messages++;
    }
    this.#frames = [];
    this.#head = 0;
    this.#bytes = 0;
    return { requests, messages, responses };
  }

  #compact(): void {
    if (this.#head === this.#frames.length) {
      this.#frames = [];
      this.#head = 0;
    } else if (this.#head > 1024 && this.#head * 2 > this.#frames.length) {
      this.#frames = this.#frames.slice(this.#head);
      this.#head = 0;
    }
  }
}
