import {
  assertNodeId,
  InvalidArgumentError,
  type NodeId,
  type Random,
  type Scheduler,
  type Transport,
} from "@pods/core-interfaces";
import type { ByteStream, ListenHandlers, StreamDriver, StreamHandlers } from "./stream.ts";

/**
 * The messages that carry simulated byte streams over a message transport: open and accept (the
 * connection handshake), numbered data and end segments, and reset.
 */
export type StreamSegment =
  | { readonly type: "stream-open"; readonly stream: string }
  | { readonly type: "stream-accept"; readonly stream: string }
  | {
      readonly type: "stream-data";
      readonly stream: string;
      readonly seq: number;
      readonly bytes: Uint8Array;
    }
  | { readonly type: "stream-end"; readonly stream: string; readonly seq: number }
  | { readonly type: "stream-reset"; readonly stream: string; readonly reason: string };

/** Options of {@link createTransportStreamDriver}. */
export interface TransportStreamDriverOptions {
  /** The node's message transport; it must keep each link's messages in order. */
  readonly transport: Transport<StreamSegment>;
  /** Runs stream events that must not happen inside the caller's stack. */
  readonly scheduler: Scheduler;
  /** Draws the nonce that makes this driver's stream ids unique across restarts. */
  readonly random: Random;
}

/** A stream as {@link TransportStreamDriver.openStreams} lists it. */
export interface OpenStream {
  /** The stream's id (the same at both ends). */
  readonly id: string;
  /** The node at the other end. */
  readonly peer: NodeId;
  /** Whether this node dialed it. */
  readonly dialed: boolean;
}

/** A {@link StreamDriver} over a message transport, with introspection for tests. */
export interface TransportStreamDriver extends StreamDriver<NodeId> {
  /** The streams open at this node now (connected both ways, not yet ended or reset). */
  openStreams(): OpenStream[];
}

interface StreamState {
  readonly id: string;
  readonly peer: NodeId;
  readonly dialed: boolean;
  handlers: StreamHandlers | undefined;
  state: "opening" | "open" | "closed";
  sendSeq: number;
  receiveSeq: number;
}

/**
 * Ordered byte streams over a message `Transport` whose links keep order (the simulation's network
 * with `fifo: true`), so a channel runs unchanged in `@pods/simulation`. Each stream numbers its
 * data segments; the receiver ignores duplicates, and a gap (a lost segment) resets the stream at
 * both ends, like a TCP connection that gives up. Segments for a stream a node does not know (it
 * restarted) are answered with a reset. Writes never report back-pressure.
 */
export function createTransportStreamDriver(
  options: TransportStreamDriverOptions,
): TransportStreamDriver {
  const { transport, scheduler } = options;
  const localId = transport.localId;
  const nonce = options.random.int(0, 2 ** 32).toString(16);
  const streams = new Map<string, StreamState>();
  let listener: ListenHandlers | undefined;
  let nextStream = 1;

  const post = (to: NodeId, segment: StreamSegment): Error | undefined => {
    try {
      transport.send(to, segment);
      return undefined;
    } catch (error) {
      return error instanceof Error ? error : new Error(String(error));
    }
  };

  /** Ends a stream; its owner hears `onClose` now (`later` when inside the owner's call). */
  const finish = (stream: StreamState, error: Error | undefined, later: boolean): void => {
    if (stream.state === "closed") return;
    stream.state = "closed";
    streams.delete(stream.id);
    const notify = (): void => stream.handlers?.onClose(error);
    if (later) scheduler.after(0, notify);
    else notify();
  };

  const byteStream = (stream: StreamState): ByteStream => ({
    remoteLabel: `${stream.peer} (stream ${stream.id})`,
    peerCertificateName: undefined,
    write: (bytes) => {
      if (stream.state !== "open") return true;
      const failure = post(stream.peer, {
        type: "stream-data",
        stream: stream.id,
        seq: stream.sendSeq++,
        bytes,
      });
      if (failure !== undefined) finish(stream, failure, true);
      return true;
    },
    end: () => {
      if (stream.state === "open") {
        post(stream.peer, { type: "stream-end", stream: stream.id, seq: stream.sendSeq });
      } else if (stream.state === "opening") {
        post(stream.peer, { type: "stream-reset", stream: stream.id, reason: "closed" });
      }
      finish(stream, undefined, true);
    },
    destroy: () => {
      if (stream.state !== "closed") {
        post(stream.peer, { type: "stream-reset", stream: stream.id, reason: "destroyed" });
      }
      finish(stream, undefined, true);
    },
  });

  const reset = (to: NodeId, stream: string, reason: string): void => {
    post(to, { type: "stream-reset", stream, reason });
  };

  transport.onMessage((from, segment) => {
    const stream = streams.get(segment.stream);
    if (stream !== undefined && stream.peer !== from) return;
    switch (segment.type) {
      case "stream-open": {
        if (stream !== undefined) return;
        if (listener === undefined) {
          reset(from, segment.stream, "connection refused: nothing listens");
          return;
        }
        const accepted: StreamState = {
          id: segment.stream,
          peer: from,
          dialed: false,
          handlers: undefined,
          state: "open",
          sendSeq: 0,
          receiveSeq: 0,
        };
        streams.set(accepted.id, accepted);
        const failure = post(from, { type: "stream-accept", stream: accepted.id });
        accepted.handlers = listener.accept(byteStream(accepted));
        if (failure !== undefined) finish(accepted, failure, true);
        return;
      }
      case "stream-accept":
        if (stream?.state !== "opening") return;
        stream.state = "open";
        stream.handlers?.onOpen();
        return;
      case "stream-data":
      case "stream-end": {
        if (stream === undefined) {
          reset(from, segment.stream, "unknown stream");
          return;
        }
        if (segment.seq < stream.receiveSeq) return; // a duplicate
        if (segment.seq > stream.receiveSeq) {
          reset(from, stream.id, "segment lost");
          finish(stream, new Error(`connection to ${from} reset: a segment was lost`), false);
          return;
        }
        if (segment.type === "stream-end") {
          finish(stream, undefined, false);
          return;
        }
        stream.receiveSeq++;
        stream.handlers?.onData(segment.bytes);
        return;
      }
      case "stream-reset":
        if (stream !== undefined) {
          finish(
            stream,
            new Error(`connection to ${from} reset by the peer (${segment.reason})`),
            false,
          );
        }
        return;
    }
  });

  return {
    describe: (address) => address,
    dial(address, handlers) {
      assertNodeId(address, "address");
      const stream: StreamState = {
        id: `${localId}/${nonce}/${nextStream++}`,
        peer: address,
        dialed: true,
        handlers,
        state: "opening",
        sendSeq: 0,
        receiveSeq: 0,
      };
      streams.set(stream.id, stream);
      const failure = post(address, { type: "stream-open", stream: stream.id });
      if (failure !== undefined) finish(stream, failure, true);
      return byteStream(stream);
    },
    listen(address, handlers) {
      if (address !== localId) {
        return Promise.reject(
          new InvalidArgumentError(
            `node ${localId} can only listen at its own id, not ${address}.`,
          ),
        );
      }
      listener = handlers;
      return Promise.resolve(localId);
    },
    close() {
      listener = undefined;
      for (const stream of [...streams.values()]) {
        if (stream.dialed) continue;
        reset(stream.peer, stream.id, "listener closed");
        finish(stream, undefined, true);
      }
      return Promise.resolve();
    },
    openStreams() {
      return [...streams.values()]
        .filter((stream) => stream.state === "open")
        .map(({ id, peer, dialed }) => ({ id, peer, dialed }));
    },
  };
}
