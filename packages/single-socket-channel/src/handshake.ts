import { assertNodeId, InvalidArgumentError, type NodeId } from "@pods/core-interfaces";
import { HandshakeError, type RefusalReason } from "./errors.ts";

// The first frame each way on a connection (docs in README "Wire format"):
//   0..3  magic "PODS"        4  protocol version      5  kind (1 hello, 2 welcome, 3 refuse)
//   6..9  instance id (u32)   10..13  dial sequence (u32)
//   node id: length (u8) + ASCII; cluster id: length (u8) + ASCII
//   refuse only: reason (u8), detail length (u16) + UTF-8 detail

/** The wire protocol version this package speaks. */
export const protocolVersion = 1;

/** The largest handshake frame payload accepted; anything longer is not a handshake. */
export const handshakeBytesMax = 1024;

const magic = [0x50, 0x4f, 0x44, 0x53]; // "PODS"
const detailBytesMax = 512;
const reasonCodes: readonly RefusalReason[] = [
  "malformed",
  "version",
  "wrong-cluster",
  "self",
  "identity",
  "duplicate",
  "stale",
  "closing",
];

/** Who a node is, as its handshake says. */
export interface Identity {
  /** The node's id. */
  readonly nodeId: NodeId;
  /** The cluster it belongs to. */
  readonly clusterId: string;
  /** A random number drawn when the node's channel was created: a new one after a restart. */
  readonly instance: number;
  /**
   * In a hello: the number of this dial (each node numbers its dials 1, 2, ...). In a welcome: the
   * number of the acceptor's latest dial, so that the dialer can recognise older dials of the
   * acceptor as superseded.
   */
  readonly dialSeq: number;
}

/** A decoded handshake frame. */
export type Handshake =
  | ({ readonly kind: "hello" } & Identity)
  | ({ readonly kind: "welcome" } & Identity)
  | ({
      readonly kind: "refuse";
      readonly reason: RefusalReason;
      readonly detail: string;
    } & Identity);

const kindCodes = { hello: 1, welcome: 2, refuse: 3 } as const;

/**
 * Checks a cluster id: the same rules as node ids.
 *
 * @throws InvalidArgumentError naming the rule.
 */
export function assertClusterId(value: unknown): asserts value is string {
  assertNodeId(value, "clusterId");
}

/** Encodes a handshake frame payload. */
export function encodeHandshake(handshake: Handshake): Uint8Array {
  const text = new TextEncoder();
  const nodeId = text.encode(handshake.nodeId);
  const clusterId = text.encode(handshake.clusterId);
  const detail =
    handshake.kind === "refuse" ? truncateUtf8(text.encode(handshake.detail)) : undefined;
  const length =
    14 + 1 + nodeId.length + 1 + clusterId.length + (detail === undefined ? 0 : 3 + detail.length);
  const bytes = new Uint8Array(length);
  const view = new DataView(bytes.buffer);
  bytes.set(magic, 0);
  bytes[4] = protocolVersion;
  bytes[5] = kindCodes[handshake.kind];
  view.setUint32(6, handshake.instance);
  view.setUint32(10, handshake.dialSeq);
  let offset = 14;
  bytes[offset++] = nodeId.length;
  bytes.set(nodeId, offset);
  offset += nodeId.length;
  bytes[offset++] = clusterId.length;
  bytes.set(clusterId, offset);
  offset += clusterId.length;
  if (handshake.kind === "refuse" && detail !== undefined) {
    bytes[offset++] = reasonCodes.indexOf(handshake.reason) + 1;
    view.setUint16(offset, detail.length);
    bytes.set(detail, offset + 2);
  }
  return bytes;
}

/**
 * Decodes a handshake frame payload.
 *
 * @throws {@link HandshakeError} `malformed` for bytes that are not a handshake, `version` for
 *   another protocol version.
 */
export function decodeHandshake(bytes: Uint8Array): Handshake {
  const malformed = (what: string): HandshakeError =>
    new HandshakeError("malformed", `${what}; the peer does not speak this protocol`);
  if (bytes.length < 14 || magic.some((byte, index) => bytes[index] !== byte)) {
    throw malformed('the first frame does not start with the magic bytes "PODS"');
  }
  if (bytes[4] !== protocolVersion) {
    throw new HandshakeError(
      "version",
      `the peer speaks protocol version ${bytes[4]}, this node ${protocolVersion}; run the ` +
        "same release of @pods/single-socket-channel on both",
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const kindCode = bytes[5];
  const instance = view.getUint32(6);
  const dialSeq = view.getUint32(10);
  let offset = 14;
  const readId = (what: string): string => {
    const length = bytes[offset] ?? 0;
    const end = offset + 1 + length;
    if (end > bytes.length) throw malformed(`the ${what} runs past the end of the frame`);
    const id = String.fromCharCode(...bytes.subarray(offset + 1, end));
    offset = end;
    try {
      assertNodeId(id, what);
    } catch (error) {
      if (error instanceof InvalidArgumentError) throw malformed(error.message);
      throw error;
    }
    return id;
  };
  const nodeId = readId("node id");
  const clusterId = readId("cluster id");
  const identity = { nodeId, clusterId, instance, dialSeq };
  if (kindCode === kindCodes.hello || kindCode === kindCodes.welcome) {
    if (offset !== bytes.length) throw malformed("the handshake has trailing bytes");
    return { kind: kindCode === kindCodes.hello ? "hello" : "welcome", ...identity };
  }
  if (kindCode !== kindCodes.refuse) throw malformed(`unknown handshake kind ${kindCode}`);
  const reason = reasonCodes[(bytes[offset] ?? 0) - 1];
  if (reason === undefined || offset + 3 > bytes.length) throw malformed("bad refusal reason");
  const detailLength = view.getUint16(offset + 1);
  if (offset + 3 + detailLength !== bytes.length) throw malformed("bad refusal detail length");
  const detail = new TextDecoder().decode(bytes.subarray(offset + 3));
  return { kind: "refuse", reason, detail, ...identity };
}

/** Cuts UTF-8 text to at most `detailBytesMax` bytes without splitting a character. */
function truncateUtf8(bytes: Uint8Array): Uint8Array {
  if (bytes.length <= detailBytesMax) return bytes;
  let end = detailBytesMax;
  while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end);
}

/**
 * Checks the answer to this node's hello on a connection dialed to `peer` (a refusal is handled
 * before): a welcome from that very node, of this cluster, proving that name by certificate when
 * TLS is on.
 *
 * @returns `undefined` for a good welcome; otherwise why the connection must close.
 */
export function checkWelcome(
  answer: Handshake,
  expected: { readonly peer: NodeId; readonly clusterId: string },
  certificateName: string | undefined,
): HandshakeError | undefined {
  const { peer, clusterId } = expected;
  if (answer.kind !== "welcome") {
    return new HandshakeError("malformed", `the peer answered a hello with a ${answer.kind}`);
  }
  if (answer.nodeId !== peer) {
    return new HandshakeError(
      "identity",
      `dialed "${peer}" but reached "${answer.nodeId}"; fix the peer's address`,
    );
  }
  if (answer.clusterId !== clusterId) {
    return new HandshakeError(
      "wrong-cluster",
      `"${peer}" belongs to cluster "${answer.clusterId}", not "${clusterId}"`,
    );
  }
  if (certificateName !== undefined && certificateName !== peer) {
    return new HandshakeError(
      "identity",
      `"${peer}" presented a certificate for "${certificateName}"`,
    );
  }
  return undefined;
}
