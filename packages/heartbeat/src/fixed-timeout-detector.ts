import { InvalidArgumentError, type NodeId } from "@pods/core-interfaces";
import { BaseFailureDetector, type FailureDetectorOptions } from "./base-failure-detector.ts";
import { heartbeatDefaults, positiveMs } from "./options.ts";

/** Options of a {@link FixedTimeoutDetector}. */
export interface FixedTimeoutDetectorOptions extends FailureDetectorOptions {
  /**
   * A peer silent this long is suspected (`now − lastHeard ≥ timeoutMs`, inclusive); in ms, above
   * both `heartbeatIntervalMs` and `checkIntervalMs`. Several intervals long, so that a lost or
   * late heartbeat or two raises no alarm. Default 1000.
   */
  readonly timeoutMs?: number;
}

/**
 * The book's failure detector, and the default: a peer is suspected once nothing has arrived from
 * it for `timeoutMs`. Simple and predictable: with the check loop running, a peer that falls
 * silent at t is not down before t + timeout and is announced down by t + timeout + one check
 * interval (unless this process itself was paused meanwhile).
 */
export class FixedTimeoutDetector extends BaseFailureDetector {
  /** The silence after which a peer is suspected, in ms. */
  readonly timeoutMs: number;

  /** @throws `InvalidArgumentError` for an invalid option, or a timeout not above the intervals. */
  constructor(options: FixedTimeoutDetectorOptions) {
    super(options);
    this.timeoutMs = positiveMs("timeoutMs", options.timeoutMs ?? heartbeatDefaults.timeoutMs);
    if (this.timeoutMs <= this.heartbeatIntervalMs || this.timeoutMs <= this.checkIntervalMs) {
      throw new InvalidArgumentError(
        `timeoutMs (${this.timeoutMs}) must be above heartbeatIntervalMs ` +
          `(${this.heartbeatIntervalMs}) and checkIntervalMs (${this.checkIntervalMs}); make it ` +
          "several heartbeat intervals long so that one lost heartbeat raises no alarm.",
      );
    }
  }

  /** Suspect once silent for `timeoutMs` or more. */
  protected override isSilentTooLong(_peer: NodeId, silentMs: number): boolean {
    return silentMs >= this.timeoutMs;
  }
}
