/**
 * @pods/version-vector: version vectors and dotted version vectors. Detect concurrent updates in
 * a leaderless store and keep every concurrent write as a sibling — no more siblings than there
 * are truly concurrent writers — with compact binary forms, pruning, conflict resolvers, and a
 * replica server and client for the network.
 *
 * @packageDocumentation
 */

export {
  defaultDecodeEntriesMax,
  VersionVector,
  type VersionOrder,
  type VersionVectorEntries,
  type VersionVectorJson,
} from "./version-vector.ts";
export { compareDots, formatDot, type Dot } from "./dot.ts";
export { CausalContext, type CausalContextJson } from "./causal-context.ts";
export { pruneVersionVector, type PruneOptions } from "./prune.ts";
export {
  mergeSiblings,
  putSibling,
  readContext,
  type PutOutcome,
  type Sibling,
  type SiblingMode,
  type SiblingRules,
  type SiblingWrite,
} from "./siblings.ts";
export { NotEnoughReplicasError, ObsoleteVersionError, TooManySiblingsError } from "./errors.ts";
export {
  causalContextCodec,
  createSiblingsCodec,
  defaultDecodeSiblingsMax,
  versionVectorCodec,
  type SiblingsCodecOptions,
} from "./encoding.ts";
export {
  lastWriterWins,
  mergeValues,
  resolveSiblings,
  type LastWriterWinsOptions,
  type ReadResult,
  type Resolved,
  type SiblingResolver,
} from "./resolvers.ts";
export {
  defaultContextEntriesMax,
  defaultSiblingsMax,
  keyLengthMax,
  ReplicaStore,
  type PutResult,
  type ReplicaStoreOptions,
} from "./replica-store.ts";
export {
  parseVersionVectorMessage,
  replicateEntriesMax,
  type PutFailure,
  type ReplicateEntry,
  type VersionVectorMessage,
} from "./messages.ts";
export { ReplicaServer, type ReplicaServerOptions } from "./replica-server.ts";
export { LeaderlessClient, type LeaderlessClientOptions } from "./leaderless-client.ts";
