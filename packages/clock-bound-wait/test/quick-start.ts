import {
  ClockBound,
  CommitWaitStore,
  hybridVersions,
  ReadRestartStore,
  readWithRestarts,
  UncertaintyWindow,
} from "@pods/clock-bound-wait";
import { HybridClock, type HybridTimestamp } from "@pods/hybrid-clock";
import { createTimerScheduler, systemClock } from "@pods/runtime-node";
import { VersionedStore } from "@pods/versioned-value";

const scheduler = createTimerScheduler();
const newStore = <V>() => new VersionedStore<V, HybridTimestamp>({ versions: hybridVersions });

// Commit wait: this node's clock is within 5 ms of true time (as its time daemon says), so a
// write waits until its timestamp is certainly past on every clock before it is acknowledged.
const bound = new ClockBound({ clock: systemClock, errorBoundMs: 5 });
const athens = new CommitWaitStore({
  store: newStore<string>(),
  clock: new HybridClock({ clock: systemClock, nodeId: "athens" }),
  bound,
  scheduler,
});
const { version, waitedMs } = await athens.put("title", "After Dawn");
console.log(bound.isBefore(version.wallMs), Math.round(waitedMs)); // true 10 (about twice the bound)
console.log((await athens.get("title")).result?.value); // After Dawn (a read waits too)

// Read restart: writes do not wait; a read that finds a version just above its timestamp (in
// its uncertainty window) is told to restart there instead of returning an older value.
const storage = new ReadRestartStore({
  store: newStore<number>(),
  clock: new HybridClock({ clock: systemClock, nodeId: "byzantium" }),
  scheduler,
});
const window = new UncertaintyWindow({ clock: new HybridClock({ clock: systemClock }) });
storage.put("account-101", 1000, window.readTs); // a writer whose clock runs a little ahead
const read = await readWithRestarts(window, "byzantium", (request) =>
  storage.get("account-101", request),
);
console.log(read.attempts, read.result.entry?.value); // 2 1000: restarted, then read it
