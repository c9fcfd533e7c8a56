import type { ByteStream, StreamDriver } from "../src/index.ts";

/** A driver whose next write can be altered: garbage on an established connection. */
export interface TamperingDriver<A> {
  readonly driver: StreamDriver<A>;
  /** Replaces the bytes of the next write on any of this driver's streams. */
  tamperNextWrite(change: (bytes: Uint8Array) => Uint8Array): void;
}

/** Wraps `inner` so that tests can alter what a node writes. */
export function tamperingDriver<A>(inner: StreamDriver<A>): TamperingDriver<A> {
  let change: ((bytes: Uint8Array) => Uint8Array) | undefined;
  const wrap = (stream: ByteStream): ByteStream => ({
    remoteLabel: stream.remoteLabel,
    get peerCertificateName() {
      return stream.peerCertificateName;
    },
    write: (bytes) => {
      const pending = change;
      change = undefined;
      return stream.write(pending === undefined ? bytes : pending(bytes));
    },
    end: () => stream.end(),
    destroy: () => stream.destroy(),
  });
  return {
    driver: {
      describe: (address) => inner.describe(address),
      dial: (address, handlers) => wrap(inner.dial(address, handlers)),
      listen: (address, handlers) =>
        inner.listen(address, { ...handlers, accept: (stream) => handlers.accept(wrap(stream)) }),
      close: () => inner.close(),
    },
    tamperNextWrite(next) {
      change = next;
    },
  };
}
