import { ChannelNode } from "./channel-node.ts";
import type { ChannelOptions } from "./options.ts";
import { createTcpDriver, type SocketAddress, type TlsOptions } from "./tcp-driver.ts";

/** Options of {@link createSocketChannel}: a channel's options without the driver, plus TLS. */
export interface SocketChannelOptions<M> extends Omit<ChannelOptions<M, SocketAddress>, "driver"> {
  /** Mutual TLS (see {@link TlsOptions}); plain TCP without it. */
  readonly tls?: TlsOptions;
}

/**
 * A channel node over TCP (or mutual TLS): `createTcpDriver` and `ChannelNode` in one call. Call
 * `listen({ host, port })` on it to accept connections.
 */
export function createSocketChannel<M>(
  options: SocketChannelOptions<M>,
): ChannelNode<M, SocketAddress> {
  const { tls, ...channelOptions } = options;
  return new ChannelNode<M, SocketAddress>({
    ...channelOptions,
    driver: createTcpDriver(tls === undefined ? {} : { tls }),
  });
}
