/**
 * @pods/single-socket-channel: One ordered TCP connection per pair of nodes, with handshake, framing, reconnect, back-pressure and optional mutual TLS.
 *
 * @packageDocumentation
 */

/** The name this package is published under. */
export const packageName = "@pods/single-socket-channel";
