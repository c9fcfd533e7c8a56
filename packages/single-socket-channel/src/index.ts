/**
 * @pods/single-socket-channel: one ordered connection per pair of nodes — framed, handshaken,
 * kept alive, reconnected with backoff, bounded, optionally mutual-TLS — with one-way messages (the
 * `Transport` port) and request/response matched by correlation id.
 *
 * @packageDocumentation
 */

export type { LinkState } from "./admission.ts";
export { ChannelNode, type RequestOptions } from "./channel-node.ts";
export type { ConnectionRole } from "./connection.ts";
export type { RequestHandler } from "./dispatcher.ts";
export {
  ConnectionLostError,
  HandshakeError,
  RemoteError,
  SendQueueFullError,
  type RefusalReason,
} from "./errors.ts";
export { handshakeBytesMax, protocolVersion } from "./handshake.ts";
export type { ChannelMetrics, ConnectionEvent, PeerStatus } from "./metrics.ts";
export type { ResponseReceiver } from "./pending-request.ts";
export {
  defaultHeartbeatIntervalMs,
  defaultRequestQueueMax,
  defaultSendQueueBytesMax,
  type ChannelEnv,
  type ChannelOptions,
} from "./options.ts";
export type { ByteStream, ListenHandlers, StreamDriver, StreamHandlers } from "./stream.ts";
export { createSocketChannel, type SocketChannelOptions } from "./socket-channel.ts";
export {
  createTcpDriver,
  type Pem,
  type SocketAddress,
  type TcpDriverOptions,
  type TlsOptions,
} from "./tcp-driver.ts";
export {
  createTransportStreamDriver,
  type OpenStream,
  type StreamSegment,
  type TransportStreamDriver,
  type TransportStreamDriverOptions,
} from "./transport-stream-driver.ts";
