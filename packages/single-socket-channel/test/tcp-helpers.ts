import { readFileSync } from "node:fs";
import type { LogFields, LogLevel } from "@pods/core-interfaces";
import {
  createCryptoRandom,
  createJsonLogger,
  createTimerScheduler,
  systemClock,
} from "@pods/runtime-node";
import {
  ChannelNode,
  createTcpDriver,
  type ByteStream,
  type ChannelOptions,
  type SocketAddress,
  type StreamDriver,
  type StreamHandlers,
  type TlsOptions,
} from "../src/index.ts";
import type { Message } from "./sim-cluster.ts";

// Real channel nodes on 127.0.0.1 (ephemeral ports only) for the TCP and TLS tests.

/** The only host these tests use. */
export const loopback = "127.0.0.1";

/** A log event captured from a node's JSON logger. */
export interface LogLine extends LogFields {
  readonly level: LogLevel;
  readonly event: string;
}

/** A driver wrapper that counts the streams open at a node (connected and not yet closed). */
export function countingDriver<A>(inner: StreamDriver<A>): {
  driver: StreamDriver<A>;
  open: () => number;
} {
  let open = 0;
  const counted = (handlers: StreamHandlers, isOpen: boolean): StreamHandlers => {
    let counting = isOpen;
    if (counting) open++;
    return {
      onOpen: () => {
        counting = true;
        open++;
        handlers.onOpen();
      },
      onData: handlers.onData,
      onDrain: handlers.onDrain,
      onClose: (error) => {
        if (counting) open--;
        counting = false;
        handlers.onClose(error);
      },
    };
  };
  return {
    driver: {
      describe: (address) => inner.describe(address),
      dial: (address, handlers) => inner.dial(address, counted(handlers, false)),
      listen: (address, handlers) =>
        inner.listen(address, {
          ...handlers,
          accept: (stream: ByteStream) => counted(handlers.accept(stream), true),
        }),
      close: () => inner.close(),
    },
    open: () => open,
  };
}

/** Options of {@link startTcpNode}. */
export interface TcpNodeOptions extends Partial<
  Omit<ChannelOptions<Message, SocketAddress>, "nodeId" | "driver" | "env">
> {
  readonly tls?: TlsOptions;
  /** Listen on 127.0.0.1 at this port (default: a free one); `false` to not listen. */
  readonly port?: number | false;
}

/** A channel node on real TCP with its logs captured. */
export async function startTcpNode(nodeId: string, options: TcpNodeOptions = {}) {
  const logs: LogLine[] = [];
  const { tls, port, ...channelOptions } = options;
  const counting = countingDriver(createTcpDriver(tls === undefined ? {} : { tls }));
  const channel = new ChannelNode<Message, SocketAddress>({
    clusterId: "pods-test",
    // Generous guards for a busy machine; no test depends on how fast anything is.
    connectTimeoutMs: 5_000,
    ...channelOptions,
    nodeId,
    driver: counting.driver,
    env: {
      clock: systemClock,
      scheduler: createTimerScheduler(),
      random: createCryptoRandom(),
      logger: createJsonLogger({
        level: "debug",
        write: (line) => logs.push(JSON.parse(line) as LogLine),
      }),
    },
  });
  const address =
    port === false ? undefined : await channel.listen({ host: loopback, port: port ?? 0 });
  return { channel, logs, address, openStreams: counting.open };
}

/** Waits until `condition` holds, polling; fails after `timeoutMs` (a guard, not a measurement). */
export async function eventually(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** The TLS material of test/fixtures (see make-certificates.sh). */
export function certificates(name: "athens" | "byzantium" | "stranger-athens"): TlsOptions {
  const read = (file: string): string =>
    readFileSync(new URL(`./fixtures/${file}`, import.meta.url), "utf8");
  return { key: read(`${name}.key`), cert: read(`${name}.pem`), ca: read("cluster-ca.pem") };
}

/** Resolves with the rejection of `promise` (or `undefined` if it resolves). */
export function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}
