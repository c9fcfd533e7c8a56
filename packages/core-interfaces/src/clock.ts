/**
 * The time port. Two readings are kept apart on purpose: monotonic time measures intervals
 * (timeouts, leases, failure detection) and never goes back; wall time names moments in calendar
 * time and may jump either way.
 *
 * In simulation each node has its own clock with an offset, a drift and scripted jumps; on Node the
 * readings come from the performance timer and the system clock (`@pods/runtime-node`).
 */
export interface Clock {
  /**
   * Milliseconds since an arbitrary origin (fractions allowed). Never decreases within one process
   * and is not affected by wall-clock adjustments; it may run slightly fast or slow (drift). Compare
   * readings only within one process: the origin differs between processes and restarts.
   */
  monotonicMs(): number;
  /**
   * Milliseconds since the Unix epoch, as this node's wall clock says. It may jump backwards or
   * forwards (NTP steps, an operator) and disagrees between nodes. Use it only where calendar time
   * matters: hybrid-clock physical parts, record timestamps, time-based retention.
   */
  wallMs(): number;
}
