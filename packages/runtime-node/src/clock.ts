import type { Clock } from "@pods/core-interfaces";

/**
 * The process's real clocks. `monotonicMs()` is `performance.now()`: milliseconds (with
 * sub-millisecond fractions) since the process started, never decreasing and unaffected by changes
 * to the system time. `wallMs()` is `Date.now()`: milliseconds since the Unix epoch, which jumps
 * when the system time is set (NTP steps, an operator).
 */
export const systemClock: Clock = {
  monotonicMs: () => performance.now(),
  wallMs: () => Date.now(),
};
