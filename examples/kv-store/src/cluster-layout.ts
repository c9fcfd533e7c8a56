// Where the nodes of `pnpm cluster` live: names, ports on loopback, and data folders.

/** The three nodes of the example cluster. */
export const defaultNodeIds = ["athens", "byzantium", "cyrene"] as const;

/** Their HTTP ports on 127.0.0.1 (the API curl and pods-kv use). */
export const defaultHttpPorts = [7001, 7002, 7003] as const;

/** Their peer ports on 127.0.0.1 (the single-socket channel between nodes). */
export const defaultPeerPorts = [7101, 7102, 7103] as const;

/** One node's place in a cluster. */
export interface NodeAddress {
  /** The node's id. */
  readonly id: string;
  /** Its HTTP port on 127.0.0.1. */
  readonly httpPort: number;
  /** Its peer port on 127.0.0.1. */
  readonly peerPort: number;
}

/** The addresses of a cluster of `ids` with the given ports. */
export function clusterLayout(
  ids: readonly string[] = defaultNodeIds,
  httpPorts: readonly number[] = defaultHttpPorts,
  peerPorts: readonly number[] = defaultPeerPorts,
): NodeAddress[] {
  return ids.map((id, at) => ({ id, httpPort: httpPorts[at]!, peerPort: peerPorts[at]! }));
}

/** Encodes a layout for a node's command line: `id@httpPort@peerPort,...`. */
export function encodeLayout(layout: readonly NodeAddress[]): string {
  return layout.map((node) => `${node.id}@${node.httpPort}@${node.peerPort}`).join(",");
}

/** Decodes {@link encodeLayout}'s form; throws with the expected shape on anything else. */
export function decodeLayout(text: string): NodeAddress[] {
  return text.split(",").map((part) => {
    const [id, http, peer] = part.split("@");
    const httpPort = Number(http);
    const peerPort = Number(peer);
    if (!id || !Number.isInteger(httpPort) || !Number.isInteger(peerPort)) {
      throw new Error(`bad cluster layout ${JSON.stringify(part)}: expected id@httpPort@peerPort`);
    }
    return { id, httpPort, peerPort };
  });
}
