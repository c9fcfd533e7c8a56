import {
  compareHybridTimestamps,
  formatHybridTimestamp,
  HybridClock,
  HybridClockOffsetError,
} from "@pods/hybrid-clock";
import { systemClock } from "@pods/runtime-node";

// One clock per node; wall time comes from the injected Clock, never from a global.
const athens = new HybridClock({ clock: systemClock, nodeId: "athens" });
const byzantium = new HybridClock({ clock: systemClock, nodeId: "byzantium", maxOffsetMs: 500 });

const sent = athens.now(); // stamp an outgoing message
const received = byzantium.update(sent); // merge it on receipt
console.log(compareHybridTimestamps(received, sent) > 0); // true: receipt is after the send
console.log(formatHybridTimestamp(received)); // "00176…@byzantium": sorts as plain text

// A peer whose clock runs a minute ahead is refused, and the local clock is left unchanged.
try {
  byzantium.update({ ...sent, wallMs: sent.wallMs + 60_000 });
} catch (error) {
  if (!(error instanceof HybridClockOffsetError)) throw error; // a ClockOffsetError
  console.log(error.offsetMs >= 59_000); // true; error.message says what to check
}
