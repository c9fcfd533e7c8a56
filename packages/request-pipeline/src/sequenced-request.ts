import { DecodeError } from "@pods/core-interfaces";

/** The `type` tag of a {@link SequencedRequest}. */
export const sequencedRequestType = "pods.sequenced";

/**
 * A request of an ordered stream on the wire: the sender's request wrapped with its place in the
 * stream. Sequence numbers count from 0 in each epoch and are assigned once per request: a resend
 * carries the same numbers. A new epoch starts when the sender gives up on a request whose outcome
 * it cannot learn, so the receiver starts counting again.
 *
 * @typeParam M - the request's own type.
 */
export interface SequencedRequest<M> {
  /** Always {@link sequencedRequestType}. */
  readonly type: typeof sequencedRequestType;
  /** Names the stream: one sender incarnation to one receiver. */
  readonly streamId: string;
  /** The stream's epoch (from 0). */
  readonly epoch: number;
  /** The request's position in the epoch (from 0). */
  readonly sequence: number;
  /** The request itself. */
  readonly request: M;
}

/** The longest stream id accepted, in UTF-16 code units. */
export const streamIdLengthMax = 256;

/** Whether `message` carries the {@link SequencedRequest} tag (its fields are not checked). */
export function isSequencedRequest(message: unknown): boolean {
  return (
    typeof message === "object" &&
    message !== null &&
    (message as { type?: unknown }).type === sequencedRequestType
  );
}

function isCount(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}

/**
 * Checks the fields of a message tagged as a {@link SequencedRequest}.
 *
 * @throws DecodeError naming the bad field.
 */
export function assertSequencedRequest<M>(
  message: unknown,
): asserts message is SequencedRequest<M> {
  const candidate = message as Partial<SequencedRequest<M>>;
  const problem = !isSequencedRequest(message)
    ? `the type is not "${sequencedRequestType}"`
    : typeof candidate.streamId !== "string" ||
        candidate.streamId.length === 0 ||
        candidate.streamId.length > streamIdLengthMax
      ? `streamId must be a string of 1 to ${streamIdLengthMax} characters`
      : !isCount(candidate.epoch)
        ? "epoch must be an integer >= 0"
        : !isCount(candidate.sequence)
          ? "sequence must be an integer >= 0"
          : undefined;
  if (problem !== undefined) throw new DecodeError(`not a sequenced request: ${problem}`);
}
