import {
  TimeoutError,
  type CommittedCommand,
  type Env,
  type Transport,
} from "@pods/core-interfaces";
import { Simulation } from "@pods/simulation";
import { SessionClient, SessionStateMachine, type SessionLog } from "../src/index.ts";
import { Counters, text, utf8 } from "./machines.ts";

// A simulated world for exactly-once checks: athens is a single sequencer standing in for the
// replicated log (it stamps each command with its monotonic clock as cluster time, appends it to
// the one committed sequence, and has three replicas apply it); clients on byzantium, cyrene and
// delphi reach it over a network that loses, duplicates and reorders messages. Every operation
// increments a counter of its own, so executing one twice shows as a count of 2.

export type Wire =
  | { readonly type: "submit"; readonly id: number; readonly command: Uint8Array }
  | { readonly type: "result"; readonly id: number; readonly result: Uint8Array };

const sessionOptions = { sessionTimeoutMs: 1_500, responsesPerClientMax: 4 };
const clientNames = ["byzantium", "cyrene", "delphi"] as const;
const portTimeoutMs = 200;

/** The sequencer: the committed sequence and the replicas that apply it. */
export class Sequencer {
  readonly entries: CommittedCommand[] = [];
  readonly replicas = ["a", "b", "c"].map(() => {
    const app = new Counters();
    return { app, machine: new SessionStateMachine(app, sessionOptions) };
  });

  constructor(env: Env, transport: Transport<Wire>) {
    transport.onMessage((from, message) => {
      if (message.type !== "submit") return;
      const entry = {
        index: this.entries.length + 1,
        generation: 1,
        clusterTimeMs: env.clock.monotonicMs(),
        command: message.command,
      };
      this.entries.push(entry);
      const [result] = this.replicas.map((replica) => replica.machine.apply(entry));
      if (result !== undefined) transport.send(from, { type: "result", id: message.id, result });
    });
  }

  /** A replica that joins late: restores replica a's snapshot taken now, to apply the rest later. */
  snapshotNow(): { readonly snapshot: Uint8Array; readonly index: number } {
    return {
      snapshot: this.replicas[0]?.machine.snapshot() ?? new Uint8Array(),
      index: this.entries.length,
    };
  }
}

/** A SessionLog over the simulated network: one attempt per call, a TimeoutError if no answer. */
function networkLog(env: Env, transport: Transport<Wire>): SessionLog {
  const waiting = new Map<number, (result: Uint8Array) => void>();
  let nextId = 0;
  transport.onMessage((_from, message) => {
    if (message.type === "result") waiting.get(message.id)?.(message.result);
  });
  return {
    submit: (command) =>
      new Promise((resolve, reject) => {
        const id = nextId++;
        const cancel = env.scheduler.after(portTimeoutMs, () => {
          waiting.delete(id);
          reject(new TimeoutError(`command ${id}`, portTimeoutMs));
        });
        waiting.set(id, (result) => {
          waiting.delete(id);
          cancel();
          resolve(result);
        });
        transport.send("athens", { type: "submit", id, command });
      }),
  };
}

/** What one operation ended as, from its client's point of view. */
export interface Outcome {
  readonly name: string;
  readonly kind: "ok" | "definite" | "indefinite";
  readonly response?: string;
}

/** Concurrent loops per client: more than the window, so requests also queue. */
const loops = 6;
const operationsPerLoop = 5;
/** Operations in one run. */
export const operationCount = clientNames.length * loops * operationsPerLoop;

/**
 * Runs the workload for `seed`: each client runs concurrent loops of increments, while the
 * sequencer stalls once and delphi pauses past its session timeout.
 */
export async function runSequencerWorld(seed: number) {
  const sim = new Simulation<Wire>({
    seed,
    network: { lossRate: 0.1, duplicateRate: 0.1, latency: { minMs: 1, maxMs: 30 } },
  });
  const athens = sim.addNode("athens", {
    boot: ({ env, transport }) => new Sequencer(env, transport),
  });
  const clients = clientNames.map((name) =>
    sim.addNode(name, {
      boot: ({ env, transport }) =>
        new SessionClient({
          log: networkLog(env, transport),
          scheduler: env.scheduler,
          random: env.random,
          inflightMax: sessionOptions.responsesPerClientMax,
          attemptTimeoutMs: 1_000,
          keepAliveIntervalMs: 300,
          retriesMax: 10,
        }),
    }),
  );

  let late: { snapshot: Uint8Array; index: number } | undefined;
  sim.at(sim.random.int(50, 400), "snapshot for a late replica", () => {
    late = athens.instance.snapshotNow();
  });
  sim.at(sim.random.int(100, 600), "stall the sequencer", () => {
    athens.pause();
    sim.at(sim.now + sim.random.int(100, 500), "resume the sequencer", () => athens.resume());
  });
  sim.at(sim.random.int(100, 600), "pause delphi past its session timeout", () => {
    const delphi = clients[2];
    delphi?.pause();
    sim.at(sim.now + 2 * sessionOptions.sessionTimeoutMs, "resume delphi", () => delphi?.resume());
  });

  const outcomes: Outcome[] = [];
  const tasks = clients.flatMap((node) =>
    Array.from({ length: loops }, (_, loop) =>
      sim.spawn(`${node.id} loop ${loop}`, async () => {
        const client = await node.ready();
        for (let n = 0; n < operationsPerLoop; n++) {
          const name = `${node.id}/${loop}/${n}`;
          try {
            const response = text(await client.request(utf8(name)));
            outcomes.push({ name, kind: "ok", response });
          } catch (error) {
            const outcome = (error as { outcome?: string }).outcome;
            if (outcome !== "definite" && outcome !== "indefinite") throw error;
            outcomes.push({ name, kind: outcome });
          }
        }
      }),
    ),
  );
  await sim.runUntilSettled(tasks, { timeoutMs: 120_000 });
  await Promise.all(clients.map(async (node) => (await node.ready()).close()));
  const sequencer = await athens.ready();
  const lateReplica = new SessionStateMachine(new Counters(), sessionOptions);
  if (late !== undefined) {
    lateReplica.restore(late.snapshot);
    for (const entry of sequencer.entries.slice(late.index)) lateReplica.apply(entry);
  }
  return { sim, sequencer, outcomes, lateReplica, joinedLate: late !== undefined };
}
