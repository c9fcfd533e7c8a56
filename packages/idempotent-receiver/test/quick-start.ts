import { TimeoutError, type StateMachine } from "@pods/core-interfaces";
import { SessionClient, SessionStateMachine, type SessionLog } from "@pods/idempotent-receiver";
import { createTimerScheduler } from "@pods/runtime-node";

// The application: a counter. Every command adds one and answers the new total, as bytes.
let total = 0;
const counter: StateMachine = {
  apply: () => new TextEncoder().encode(String(++total)),
  snapshot: () => new TextEncoder().encode(String(total)),
  restore: (bytes) => {
    total = Number(new TextDecoder().decode(bytes));
  },
};

// Each replica wraps the application in client sessions. One replica stands in for the
// replicated log here: it applies every command as it is committed.
const replica = new SessionStateMachine(counter, { sessionTimeoutMs: 60_000 });
let index = 0;
const log: SessionLog = {
  submit(command) {
    const result = replica.apply({ index: ++index, generation: 1, clusterTimeMs: 0, command });
    // Entry 1 registers the session. Entry 2, the increment, is applied, but its reply is lost.
    if (index === 2) return Promise.reject(new TimeoutError("the reply to entry 2", 100));
    return Promise.resolve(result);
  },
};

const client = new SessionClient({ log, scheduler: createTimerScheduler() });
const reply = await client.request(new Uint8Array()); // retried with the same sequence number
console.log(new TextDecoder().decode(reply), total, replica.stats.replayed); // 1 1 1
await client.close();
