/**
 * @pods/request-waiting-list: pending requests parked until a condition holds — a reply, a quorum
 * of acknowledgements, a high-water mark passing their index — and expired with `TimeoutError` by
 * a timing wheel with a single wake-up.
 *
 * @packageDocumentation
 */

export { LeadershipLostError, NoQuorumError, WaitingListFullError } from "./errors.ts";
export {
  MajorityTracker,
  QuorumCollector,
  type QuorumAnswers,
  type QuorumCollectorOptions,
  type QuorumState,
  type QuorumTracker,
} from "./quorum.ts";
export {
  RequestWaitingList,
  type KeyKind,
  type RequestCallback,
  type RequestWaitingListOptions,
  type ResponseCollector,
  type Verdict,
  type WaitingListKey,
  type WaitingListMetrics,
  type WaitOptions,
} from "./request-waiting-list.ts";
