/**
 * @pods/idempotent-receiver: client sessions in the replicated state machine, so a retried
 * request is applied exactly once, even after a failover. `SessionStateMachine` wraps any
 * `StateMachine` on every replica; `SessionClient` registers, numbers, pipelines and retries
 * requests on the client.
 *
 * @packageDocumentation
 */

export {
  RequestQueueFullError,
  RequestTooOldError,
  SessionExpiredError,
  SessionRequestFailedError,
} from "./errors.ts";
export {
  defaultResponsesPerClientMax,
  defaultSessionsMax,
  defaultSessionTimeoutMs,
  type SessionStateMachineOptions,
} from "./options.ts";
export { SessionClient, type SessionClientStats } from "./session-client.ts";
export {
  defaultAttemptTimeoutMs,
  defaultInflightMax,
  defaultKeepAliveIntervalMs,
  defaultQueuedMax,
  defaultRetriesMax,
  defaultRetryBackoffMaxMs,
  defaultRetryBackoffMs,
  type SessionClientOptions,
  type SessionLog,
} from "./session-client-options.ts";
export {
  sessionCommandCodec,
  sessionFormatVersion,
  type KeepAliveCommand,
  type RegisterCommand,
  type RequestCommand,
  type SessionCommand,
  type UnsessionedCommand,
} from "./session-command.ts";
export {
  sessionResultCodec,
  sessionResultError,
  type AppliedResult,
  type KeptAliveResult,
  type MalformedResult,
  type RegisteredResult,
  type RequestTooOldResult,
  type SessionExpiredResult,
  type SessionResult,
  type UnsessionedResult,
} from "./session-result.ts";
export {
  SessionStateMachine,
  type SessionInfo,
  type SessionStats,
} from "./session-state-machine.ts";
