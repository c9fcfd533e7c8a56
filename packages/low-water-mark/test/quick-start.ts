import { tmpdir } from "node:os";
import { join } from "node:path";
import { createNodeEnv } from "@pods/runtime-node";
import { LowWaterMark, type LowWaterMarkOptions } from "@pods/low-water-mark";

// A key-value store whose log is kept short by snapshots.
const state = new Map<string, string>();
const encode = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
const decode = <T>(bytes: Uint8Array) => JSON.parse(new TextDecoder().decode(bytes)) as T;
const apply = (payload: Uint8Array) => state.set(...decode<[string, string]>(payload));

const options: LowWaterMarkOptions = {
  stateMachine: {
    capture: () => ({ state: encode([...state]) }), // synchronous: the state at one index
    restore: (snapshot) => {
      state.clear();
      for (const [key, value] of decode<[string, string][]>(snapshot.state)) state.set(key, value);
    },
    replay: (entry) => apply(entry.payload), // the entries after the snapshot, at open
  },
  snapshotEveryEntries: 100,
  wal: { segmentBytesMax: 4096 },
};
const env = await createNodeEnv({
  dataDir: join(tmpdir(), `pods-low-water-mark-${process.pid}`),
  logLevel: "warn",
});

const store = await LowWaterMark.open(env, options);
for (let n = 1; n <= 1000; n++) {
  const payload = encode([`key ${n % 10}`, `value ${n}`]);
  const index = await store.wal.append({ payload }); // durable before it is applied
  apply(payload);
  store.noteApplied(index, payload.length); // every 100 entries: snapshot, then clean
}
await store.close(); // waits for the last snapshot and its cleaning pass
console.log(store.snapshotIndex, store.wal.segments().length); // 1000 1: sealed segments deleted

state.clear();
const reopened = await LowWaterMark.open(env, options); // restores snapshot 1000, replays the rest
console.log(state.get("key 0"), reopened.recovery.replayed, reopened.mark); // value 1000 0 1001
await reopened.close();
