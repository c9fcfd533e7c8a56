/** Counters and gauges of a pipeline (a snapshot). Times are monotonic milliseconds. */
export interface PipelineMetrics {
  /** Requests accepted by `send`. */
  readonly sent: number;
  /** Transmissions on the channel: first sends and resends. */
  readonly transmissions: number;
  /** Resends of ordered-stream requests after a lost connection or a refused gap. */
  readonly resent: number;
  /** Requests that resolved with their answer. */
  readonly succeeded: number;
  /** Requests that failed (timeouts, lost connections, remote errors, protocol errors). */
  readonly failed: number;
  /** Requests that failed with `TimeoutError`. */
  readonly timedOut: number;
  /** Answers that arrived for a request that had already failed (timed out): discarded. */
  readonly lateResponses: number;
  /** Answers out of order in `strictOrder` mode (each reset the connection). */
  readonly protocolErrors: number;
  /** Sends refused with `PipelineFullError`. */
  readonly rejectedFull: number;
  /** One-way heartbeats sent past the window. */
  readonly heartbeatsSent: number;
  /** Requests on the channel now (sent and not yet answered or failed there). */
  readonly inflight: number;
  /** The largest `inflight` seen. */
  readonly inflightPeak: number;
  /** Sends waiting for a slot now. */
  readonly waiting: number;
  /** The current window: `inflightMax`, or less while an adaptive window grows back. */
  readonly window: number;
  /** Round trips measured (answers, remote errors included). */
  readonly roundTrips: number;
  /** The last round-trip time, from transmission to answer. */
  readonly rttMsLast: number;
  /** The shortest round-trip time seen (0 before the first). */
  readonly rttMsMin: number;
  /** The longest round-trip time seen. */
  readonly rttMsMax: number;
  /** The mean round-trip time. */
  readonly rttMsMean: number;
}

/** The counters a pipeline keeps; gauges are filled in by the pipeline. @internal */
export class MetricsRecorder {
  sent = 0;
  transmissions = 0;
  resent = 0;
  succeeded = 0;
  failed = 0;
  timedOut = 0;
  lateResponses = 0;
  protocolErrors = 0;
  rejectedFull = 0;
  heartbeatsSent = 0;
  inflightPeak = 0;
  roundTrips = 0;
  rttMsLast = 0;
  rttMsMin = 0;
  rttMsMax = 0;
  rttMsTotal = 0;

  roundTrip(rttMs: number): void {
    this.roundTrips++;
    this.rttMsLast = rttMs;
    this.rttMsTotal += rttMs;
    if (this.roundTrips === 1 || rttMs < this.rttMsMin) this.rttMsMin = rttMs;
    if (rttMs > this.rttMsMax) this.rttMsMax = rttMs;
  }

  snapshot(gauges: { inflight: number; waiting: number; window: number }): PipelineMetrics {
    return {
      sent: this.sent,
      transmissions: this.transmissions,
      resent: this.resent,
      succeeded: this.succeeded,
      failed: this.failed,
      timedOut: this.timedOut,
      lateResponses: this.lateResponses,
      protocolErrors: this.protocolErrors,
      rejectedFull: this.rejectedFull,
      heartbeatsSent: this.heartbeatsSent,
      inflight: gauges.inflight,
      inflightPeak: this.inflightPeak,
      waiting: gauges.waiting,
      window: gauges.window,
      roundTrips: this.roundTrips,
      rttMsLast: this.rttMsLast,
      rttMsMin: this.rttMsMin,
      rttMsMax: this.rttMsMax,
      rttMsMean: this.roundTrips === 0 ? 0 : this.rttMsTotal / this.roundTrips,
    };
  }
}
