import { InvalidArgumentError } from "@pods/core-interfaces";

/**
 * The suspicion level φ of a peer silent for `silentMs` whose heartbeat intervals are normally
 * distributed with the given mean and standard deviation: φ = −log10(P(interval > silentMs)).
 * φ = 1 means a 10 % chance that a heartbeat this late is still coming, φ = 8 one in 10^8.
 *
 * The normal tail uses the logistic approximation Φ(y) ≈ 1 / (1 + e^−(1.5976·y + 0.070566·y³))
 * (Bowling et al., 2009; also used by Akka and Cassandra), which makes
 * φ = log10(1 + e^u) with u = 1.5976·y + 0.070566·y³ and y = (silentMs − meanMs) / stdDevMs.
 * That is computed without overflow for any silence, and it is continuous and strictly
 * increasing in `silentMs`.
 *
 * @param silentMs - time since the last heartbeat, in ms.
 * @param meanMs - the expected interval (plus any acceptable pause), in ms.
 * @param stdDevMs - the standard deviation of the intervals, in ms, > 0.
 * @throws `InvalidArgumentError` unless the inputs are finite and `stdDevMs` > 0.
 */
export function computePhi(silentMs: number, meanMs: number, stdDevMs: number): number {
  if (
    !Number.isFinite(silentMs) ||
    !Number.isFinite(meanMs) ||
    !(Number.isFinite(stdDevMs) && stdDevMs > 0)
  ) {
    throw new InvalidArgumentError(
      `computePhi needs finite silentMs and meanMs and stdDevMs > 0, got (${silentMs}, ` +
        `${meanMs}, ${stdDevMs}).`,
    );
  }
  const y = (silentMs - meanMs) / stdDevMs;
  const u = y * (1.5976 + 0.070566 * y * y);
  // log(1 + e^u) = max(u, 0) + log(1 + e^−|u|): no overflow for large u, no cancellation for small.
  return (Math.max(u, 0) + Math.log1p(Math.exp(-Math.abs(u)))) / Math.LN10;
}
