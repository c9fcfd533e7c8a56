import type { NodeId } from "@pods/core-interfaces";
import { encodeFrame } from "@pods/codec";
import type { Admission } from "./admission.ts";
import { Connection, type ConnectionOwner } from "./connection.ts";
import { HandshakeError, type RefusalReason } from "./errors.ts";
import { decodeHandshake, encodeHandshake, type Handshake, type Identity } from "./handshake.ts";
import type { MutableMetrics } from "./metrics.ts";
import type { ResolvedOptions } from "./options.ts";
import type { ByteStream, StreamHandlers } from "./stream.ts";

/** What the inbound side needs from its node. @internal */
export interface InboundHost<M> {
  readonly options: ResolvedOptions<M>;
  readonly owner: ConnectionOwner<M>;
  readonly metrics: MutableMetrics;
  /** This node's instance id. */
  readonly instance: number;
  /** The number of this node's latest dial. */
  latestDialSeq(): number;
  /** Whether the node is closing. */
  closing(): boolean;
  /** Hands a verified hello to the peer's link (created if new), which admits it or not. */
  admit(peer: NodeId, connection: Connection<M>, hello: Identity): Admission;
}

/**
 * The accepting side of the handshake. An inbound connection must send a valid hello within
 * `connectTimeoutMs`; until then it belongs to no peer, and whatever goes wrong on it (garbage,
 * silence, another cluster, a certificate naming someone else) closes only it, with a log line.
 *
 * @internal
 */
export class InboundConnections<M> {
  readonly #host: InboundHost<M>;
  readonly #waiting = new Set<Connection<M>>();

  constructor(host: InboundHost<M>) {
    this.#host = host;
  }

  /** Takes a new inbound stream. */
  accept(stream: ByteStream): StreamHandlers {
    const { options, owner, metrics } = this.#host;
    const connection = new Connection<M>("acceptor", undefined, options, owner, metrics);
    connection.attach(stream);
    if (this.#host.closing()) connection.shutdown(false);
    else this.#waiting.add(connection);
    return connection.handlers();
  }

  /** The first frame of an inbound connection: admits or refuses it. */
  hello(connection: Connection<M>, payload: Uint8Array): void {
    this.#waiting.delete(connection);
    let hello: Handshake;
    try {
      hello = decodeHandshake(payload);
    } catch (error) {
      if (!(error instanceof HandshakeError)) throw error;
      this.#refuse(connection, error.reason, error.message);
      return;
    }
    const { nodeId, clusterId } = this.#host.options;
    const certificateName = connection.stream?.peerCertificateName;
    if (hello.kind !== "hello") {
      this.#refuse(connection, "malformed", `expected a hello, got a ${hello.kind}`);
    } else if (hello.clusterId !== clusterId) {
      this.#refuse(
        connection,
        "wrong-cluster",
        `node "${hello.nodeId}" belongs to cluster "${hello.clusterId}", this node ("${nodeId}") ` +
          `to "${clusterId}"; check the clusterId of both`,
      );
    } else if (hello.nodeId === nodeId) {
      this.#refuse(
        connection,
        "self",
        `the peer claims this node's own id "${nodeId}"; two nodes share an id, or a node dials ` +
          "itself",
      );
    } else if (certificateName !== undefined && certificateName !== hello.nodeId) {
      this.#refuse(
        connection,
        "identity",
        `the peer's certificate names "${certificateName}" but its hello says "${hello.nodeId}"`,
      );
    } else if (this.#host.closing()) {
      this.#refuse(connection, "closing", `node "${nodeId}" is closing`);
    } else {
      connection.peer = hello.nodeId;
      const admission = this.#host.admit(hello.nodeId, connection, hello);
      if (admission === "duplicate") {
        this.#refuse(
          connection,
          "duplicate",
          `both nodes connected at once; the connection opened by "${nodeId}" (the smaller id) ` +
            "is kept",
        );
      } else if (admission === "stale") {
        this.#refuse(connection, "stale", "the peer already adopted another connection");
      }
    }
  }

  /**
   * An inbound connection ended before its hello (garbage, silence, closed): logs it. Returns
   * whether the connection was one waiting here.
   */
  lost(connection: Connection<M>, reason: string): boolean {
    if (!this.#waiting.delete(connection)) return false;
    this.#log(connection, "no-handshake", reason);
    return true;
  }

  /** Closes every waiting connection; resolves when their streams have closed. */
  closeAll(): Promise<void> {
    const closing = [...this.#waiting].map((connection) => {
      connection.shutdown(false);
      return connection.closed;
    });
    this.#waiting.clear();
    return Promise.all(closing).then(() => undefined);
  }

  /** Says why on the wire and in the log, then closes the connection. */
  #refuse(connection: Connection<M>, reason: RefusalReason, detail: string): void {
    const { nodeId, clusterId } = this.#host.options;
    const refusal = {
      kind: "refuse",
      reason,
      detail,
      nodeId,
      clusterId,
      instance: this.#host.instance,
      dialSeq: this.#host.latestDialSeq(),
    } as const;
    connection.write(encodeFrame(encodeHandshake(refusal)));
    connection.shutdown(true);
    this.#log(connection, reason, detail);
  }

  #log(connection: Connection<M>, reason: RefusalReason | "no-handshake", detail: string): void {
    this.#host.metrics.handshakesRefused++;
    const routine = reason === "duplicate" || reason === "stale" || reason === "closing";
    this.#host.options.logger[routine ? "debug" : "warn"]("channel.handshake-refused", {
      remote: connection.stream?.remoteLabel,
      peer: connection.peer,
      reason,
      detail,
    });
  }
}
