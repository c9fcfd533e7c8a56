import * as net from "node:net";
import * as tls from "node:tls";
import { InvalidArgumentError, IOError } from "@pods/core-interfaces";
import type { ByteStream, ListenHandlers, StreamDriver, StreamHandlers } from "./stream.ts";

/** A TCP address. */
export interface SocketAddress {
  /** A host name or IP address, e.g. `"127.0.0.1"`. */
  readonly host: string;
  /** A port from 0 to 65535; 0 asks `listen` for a free one. */
  readonly port: number;
}

/** PEM text or bytes, as `node:tls` takes them. */
export type Pem = string | Uint8Array;

/**
 * Mutual TLS: every node presents its certificate and accepts only peers whose certificate chains
 * to `ca`. The channel also checks that the certificate's common name is the node id the peer
 * claims (or was dialed as), so a node cannot pose as another.
 */
export interface TlsOptions {
  /** This node's private key. */
  readonly key: Pem;
  /** This node's certificate, with the node id as its common name (CN). */
  readonly cert: Pem;
  /** The certificate authorities that sign the cluster's node certificates. */
  readonly ca: Pem | readonly Pem[];
}

/** Options of {@link createTcpDriver}. */
export interface TcpDriverOptions {
  /** Mutual TLS; plain TCP without it. */
  readonly tls?: TlsOptions;
}

function checkAddress(address: SocketAddress): void {
  if (
    typeof address?.host !== "string" ||
    address.host === "" ||
    !Number.isInteger(address.port) ||
    address.port < 0 ||
    address.port > 65535
  ) {
    throw new InvalidArgumentError(
      `a socket address needs a host and a port from 0 to 65535, got ${JSON.stringify(address)}.`,
    );
  }
}

function describe(address: SocketAddress): string {
  return address.host.includes(":")
    ? `[${address.host}]:${address.port}`
    : `${address.host}:${address.port}`;
}

function pem(value: Pem): string | Buffer {
  return typeof value === "string" ? value : Buffer.from(value);
}

function pems(value: Pem | readonly Pem[]): (string | Buffer)[] {
  return (Array.isArray(value) ? (value as readonly Pem[]) : [value as Pem]).map(pem);
}

function certificateName(socket: tls.TLSSocket): string {
  const commonName: string | string[] | undefined = socket.getPeerCertificate()?.subject?.CN;
  return (Array.isArray(commonName) ? commonName[0] : commonName) ?? "";
}

/**
 * Wires a socket's events to the channel's handlers and wraps it as a {@link ByteStream}. Writes
 * made in one turn of the event loop leave in one system call: the first corks the socket and the
 * check phase of the same turn (`setImmediate`) uncorks it, so the frames the channel flushes for
 * each of a burst of events (a batch of acknowledgements, say) share one `writev`.
 */
function wrap(
  socket: net.Socket,
  remoteLabel: string,
  secure: boolean,
  handlers: StreamHandlers | (() => StreamHandlers),
): ByteStream {
  socket.setNoDelay(true);
  let corked = false;
  const uncork = (): void => {
    corked = false;
    socket.uncork();
  };
  const stream: ByteStream = {
    remoteLabel,
    get peerCertificateName() {
      return secure ? certificateName(socket as tls.TLSSocket) : undefined;
    },
    write: (bytes) => {
      if (!corked) {
        corked = true;
        socket.cork();
        setImmediate(uncork);
      }
      return socket.write(bytes);
    },
    end: () => {
      socket.end();
    },
    destroy: () => {
      socket.destroy();
    },
  };
  const events = typeof handlers === "function" ? handlers : () => handlers;
  let error: Error | undefined;
  socket.on("data", (chunk: Buffer) => events().onData(chunk));
  socket.on("drain", () => events().onDrain());
  socket.on("error", (cause: Error) => (error ??= cause));
  socket.on("close", () => events().onClose(error));
  return stream;
}

/**
 * The byte-stream driver for real clusters: TCP through `node:net`, or mutual TLS through
 * `node:tls` when `options.tls` is given. Sockets run with Nagle's algorithm off (the channel
 * batches writes itself, and the driver sends what one event-loop turn wrote in one system call).
 */
export function createTcpDriver(options: TcpDriverOptions = {}): StreamDriver<SocketAddress> {
  const secure = options.tls;
  /** Every inbound socket still open (raw TCP sockets, also under TLS). */
  const accepted = new Set<net.Socket>();
  let server: net.Server | undefined;
  let closing: Promise<void> | undefined;

  return {
    describe,
    dial(address, handlers) {
      checkAddress(address);
      const socket =
        secure === undefined
          ? net.connect({ host: address.host, port: address.port })
          : tls.connect({
              host: address.host,
              port: address.port,
              key: pem(secure.key),
              cert: pem(secure.cert),
              ca: pems(secure.ca),
              // Identity is checked by the channel: the certificate's CN must be the dialed node.
              checkServerIdentity: () => undefined,
            });
      socket.once(secure === undefined ? "connect" : "secureConnect", () => handlers.onOpen());
      return wrap(socket, describe(address), secure !== undefined, handlers);
    },
    listen(address, handlers: ListenHandlers) {
      checkAddress(address);
      if (server !== undefined) {
        return Promise.reject(new InvalidArgumentError("this TCP driver is already listening."));
      }
      const listener =
        secure === undefined
          ? net.createServer()
          : tls.createServer({
              key: pem(secure.key),
              cert: pem(secure.cert),
              ca: pems(secure.ca),
              requestCert: true,
              rejectUnauthorized: true,
            });
      server = listener;
      const label = (socket: net.Socket): string =>
        describe({ host: socket.remoteAddress ?? "?", port: socket.remotePort ?? 0 });
      const claim = (socket: net.Socket): void => {
        const accepted: { handlers?: StreamHandlers } = {};
        const stream = wrap(
          socket,
          label(socket),
          secure !== undefined,
          () => accepted.handlers as StreamHandlers,
        );
        accepted.handlers = handlers.accept(stream);
      };
      listener.on("connection", (socket: net.Socket) => {
        accepted.add(socket);
        socket.once("close", () => accepted.delete(socket));
        if (secure === undefined) claim(socket);
      });
      if (secure !== undefined) {
        listener.on("secureConnection", (socket: tls.TLSSocket) => claim(socket));
        listener.on("tlsClientError", (error: Error, socket: tls.TLSSocket) =>
          handlers.rejected(label(socket), error),
        );
      }
      return new Promise<SocketAddress>((resolve, reject) => {
        const failed = (error: NodeJS.ErrnoException): void => {
          reject(
            new IOError("listen on", describe(address), "failed", error.code ?? error.message, {
              cause: error,
            }),
          );
        };
        listener.once("error", failed);
        listener.listen(address.port, address.host, () => {
          listener.off("error", failed);
          listener.on("error", (error: Error) => handlers.failed(error));
          const bound = listener.address() as net.AddressInfo;
          resolve({ host: address.host, port: bound.port });
        });
      });
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        if (server === undefined || !server.listening) {
          resolve();
          return;
        }
        server.close(() => resolve());
        for (const socket of accepted) socket.destroy();
        accepted.clear();
      });
      return closing;
    },
  };
}
