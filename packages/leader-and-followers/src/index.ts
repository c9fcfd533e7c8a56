/**
 * @pods/leader-and-followers: leader election with generations (terms), randomised timeouts, the
 * up-to-date-log vote check, PreVote, CheckQuorum and leadership transfer — as a pure state machine
 * ({@link Election}) that a replicated log embeds, and as a small service ({@link LeaderElection})
 * for clusters that only need to know who leads.
 *
 * @packageDocumentation
 */

export {
  Election,
  type ElectionChange,
  type ElectionHost,
  type ElectionMetrics,
  type ElectionOptions,
  type ElectionState,
  type GenerationCheck,
  type LeaderContact,
  type Role,
} from "./election.ts";
export { LeaderRedirectError } from "./errors.ts";
export { MemoryGenerationStore, type GenerationStore } from "./generation-store.ts";
export {
  LeaderElection,
  type Heartbeat,
  type HeartbeatAck,
  type LeaderElectionMessage,
  type LeaderElectionMetrics,
  type LeaderElectionOptions,
} from "./leader-election.ts";
export {
  electionMessageProblem,
  electionMessageTypes,
  type ElectionMessage,
  type LogPosition,
  type TimeoutNow,
  type VoteRequest,
  type VoteResponse,
} from "./messages.ts";
export {
  electionDefaults,
  resolveElectionTiming,
  type ElectionTiming,
  type ResolvedElectionTiming,
} from "./options.ts";
