import { isPodsError } from "@pods/core-interfaces";
import type { Entry } from "./entry.ts";
import { outOfOrderSequenceCode } from "./errors.ts";

/**
 * What an ordered stream does with its unacknowledged requests when their connection is lost:
 * `"resend"` them from the first unacknowledged one, in order and with their original sequence
 * numbers; or `"fail-all"` of them (unknown outcome) and start a new epoch.
 */
export type ConnectionLossPolicy = "resend" | "fail-all";

/** The parts of an {@link Entry} a {@link StreamSender} reads and writes. @internal */
export type StreamedEntry = Pick<Entry<unknown>, "epoch" | "sequence" | "settled" | "attempts">;

/** What to do with a request whose transmission failed. @internal */
export type FailureDecision = "resend" | "fail" | "end-epoch";

/** Whether `error` is an answer from the receiver (its handler failed, or it refused). @internal */
export function isRemoteAnswer(error: unknown): boolean {
  return isPodsError(error) && error.code === "REMOTE";
}

/** Whether `error` says the receiver refused an out-of-order request. @internal */
export function isOutOfOrderRefusal(error: unknown): boolean {
  if (!isPodsError(error)) return false;
  if (error.code === outOfOrderSequenceCode) return true;
  return (
    error.code === "REMOTE" &&
    (error as { remoteCode?: unknown }).remoteCode === outOfOrderSequenceCode
  );
}

function isConnectionLost(error: unknown): boolean {
  return isPodsError(error) && error.code === "CONNECTION_LOST";
}

/**
 * The sending half of an ordered stream: numbers requests at their first transmission and decides
 * what a failed transmission means for the stream.
 *
 * @internal
 */
export class StreamSender {
  readonly streamId: string;
  readonly policy: ConnectionLossPolicy;
  readonly resendsMax: number;
  #epoch = 0;
  #nextSequence = 0;

  constructor(streamId: string, policy: ConnectionLossPolicy, resendsMax: number) {
    this.streamId = streamId;
    this.policy = policy;
    this.resendsMax = resendsMax;
  }

  /** The current epoch. */
  get epoch(): number {
    return this.#epoch;
  }

  /** The sequence number the next new request gets. */
  get nextSequence(): number {
    return this.#nextSequence;
  }

  /** Numbers `entry` unless it has its numbers already (a resend). */
  stamp(entry: StreamedEntry): void {
    if (entry.sequence >= 0) return;
    entry.epoch = this.#epoch;
    entry.sequence = this.#nextSequence++;
  }

  /**
   * A transmission of `entry` failed with `error` without an answer, or was refused as out of
   * order. It is resent when the policy allows, it belongs to the current epoch, its caller still
   * waits, it has resends left, and the failure is a lost connection or a refusal that an earlier
   * request still on its way can repair. Otherwise it fails — and if it was of the current epoch,
   * its sequence number may never be applied, so the epoch ends.
   */
  decide(
    entry: StreamedEntry,
    error: unknown,
    earlierUnacknowledged: () => boolean,
  ): FailureDecision {
    if (entry.epoch !== this.#epoch) return "fail";
    const resendable =
      this.policy === "resend" && !entry.settled && entry.attempts <= this.resendsMax;
    if (
      resendable &&
      (isConnectionLost(error) || (isOutOfOrderRefusal(error) && earlierUnacknowledged()))
    ) {
      return "resend";
    }
    return "end-epoch";
  }

  /** Starts a new epoch: the next request is sequence 0 of it. */
  endEpoch(): void {
    this.#epoch++;
    this.#nextSequence = 0;
  }
}
