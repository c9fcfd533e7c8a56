// Benchmarks of @pods/idempotent-receiver: what client sessions cost on the apply path of a
// replica. Each subject runs side by side with the same counter state machine applied bare (no
// sessions) in alternating rounds. Run with `pnpm bench`; writes .bench/idempotent-receiver.json.
import type { CommittedCommand, StateMachine } from "@pods/core-interfaces";
import {
  sessionCommandCodec,
  sessionResultCodec,
  SessionStateMachine,
} from "@pods/idempotent-receiver";
import {
  compareThroughput,
  round,
  writeBenchReport,
  type BenchResult,
} from "../../../bench-kit.js";

const chunk = 1_000;
const commandBytes = new Uint8Array(16);

/** A counter that answers its new value in 8 bytes. */
function counter(): StateMachine {
  let total = 0;
  return {
    apply: () => {
      const response = new Uint8Array(8);
      new DataView(response.buffer).setFloat64(0, ++total);
      return response;
    },
    snapshot: () => new Uint8Array(8),
    restore: () => undefined,
  };
}

/** The baseline: the bare counter applying the same number of 16-byte commands. */
function bare(): { name: string; work: () => number } {
  const machine = counter();
  let index = 0;
  return {
    name: "bare counter apply (no sessions)",
    work: () => {
      for (let n = 0; n < chunk; n++) {
        machine.apply({ index: ++index, generation: 1, clusterTimeMs: 0, command: commandBytes });
      }
      return chunk;
    },
  };
}

/** A session machine with `clients` registered sessions; returns it and the next log index. */
function sessions(clients: number) {
  const machine = new SessionStateMachine(counter(), { sessionsMax: clients });
  let index = 0;
  const register = sessionCommandCodec.encode({ type: "register" });
  for (let n = 0; n < clients; n++) {
    machine.apply({ index: ++index, generation: 1, clusterTimeMs: 0, command: register });
  }
  return { machine, next: () => ++index };
}

function requestEntry(index: number, clientId: number, sequence: number): CommittedCommand {
  const command = sessionCommandCodec.encode({
    type: "request",
    clientId,
    sequence,
    firstUnacknowledged: Math.max(1, sequence - 15),
    command: commandBytes,
  });
  return { index, generation: 1, clusterTimeMs: 0, command };
}

const clients = 1_000;

function newRequests() {
  const { machine, next } = sessions(clients);
  const sequences = new Array<number>(clients).fill(0);
  let turn = 0;
  return () => {
    for (let n = 0; n < chunk; n++) {
      const client = turn++ % clients;
      const sequence = (sequences[client] ?? 0) + 1;
      sequences[client] = sequence;
      const result = machine.apply(requestEntry(next(), client + 1, sequence));
      sessionResultCodec.decode(result);
    }
    return chunk;
  };
}

function retries() {
  const { machine, next } = sessions(clients);
  for (let client = 1; client <= clients; client++) {
    for (let sequence = 1; sequence <= 16; sequence++) {
      machine.apply(requestEntry(next(), client, sequence));
    }
  }
  let turn = 0;
  return () => {
    for (let n = 0; n < chunk; n++) {
      const position = turn++;
      const entry = requestEntry(next(), (position % clients) + 1, (position % 16) + 1);
      sessionResultCodec.decode(machine.apply(entry));
    }
    return chunk;
  };
}

const results: BenchResult[] = [
  await compareThroughput({
    name: `new requests through sessions, ${clients} clients, 16 B commands (encode, apply, decode)`,
    subject: { work: newRequests() },
    baseline: bare(),
  }),
  await compareThroughput({
    name: `retries answered from saved responses, ${clients} clients`,
    subject: { work: retries() },
    baseline: bare(),
  }),
];

// Snapshot size and speed with every session full: 10 000 clients × 16 saved 8-byte responses.
const full = sessions(10_000);
for (let client = 1; client <= 10_000; client++) {
  for (let sequence = 1; sequence <= 16; sequence++) {
    full.machine.apply(requestEntry(full.next(), client, sequence));
  }
}
const snapshot = full.machine.snapshot();
const started = performance.now();
const copy = new SessionStateMachine(counter(), { sessionsMax: 10_000 });
const rounds = 10;
for (let n = 0; n < rounds; n++) copy.restore(full.machine.snapshot());
const roundTripMs = (performance.now() - started) / rounds;
results.push({
  name: "snapshot of 10 000 sessions × 16 saved 8-byte responses",
  value: snapshot.length,
  unit: "bytes",
  snapshotAndRestoreMs: round(roundTripMs, 2),
});

writeBenchReport("idempotent-receiver", "@pods/idempotent-receiver", results);
