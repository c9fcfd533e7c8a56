import { TimeoutError, type Env, type NodeId, type Transport } from "@pods/core-interfaces";
import { checkHistory, type RegisterInput, type RegisterOutput } from "@pods/lincheck";
import { History, Simulation } from "@pods/simulation";

// Registers over the simulated network, for the lincheck pipeline tests: a workload of client
// loops recorded in a History, faults from the seed, and the history checked by @pods/lincheck.

/** A replica's copy of the register, ordered by (counter, writer) for last-writer-wins. */
interface Versioned {
  readonly value: number | null;
  readonly counter: number;
  readonly writer: NodeId;
}

export type Message =
  | { type: "request"; id: string; input: RegisterInput }
  | { type: "response"; id: string; output: RegisterOutput }
  | { type: "replicate"; state: Versioned };

/** How a server treats requests. */
export type ServerKind =
  /** One node; a retried or duplicated request is answered from a cache (correct). */
  | "single-deduplicating"
  /** One node that applies a duplicated request again (wrong under duplication). */
  | "single-reapplying"
  /** Replicas that acknowledge a write alone and replicate it afterwards; reads from any (wrong). */
  | "replicated-ack-one";

const replicas = ["athens", "byzantium", "cyrene"] as const;
const clients = ["delphi", "ephesus", "sparta"] as const;

function apply(state: Versioned, input: RegisterInput, self: NodeId) {
  const next = (value: number): Versioned => ({ value, counter: state.counter + 1, writer: self });
  switch (input.op) {
    case "read":
      return { state, output: { value: state.value } };
    case "write":
      return { state: next(input.value), output: {} };
    case "cas": {
      const ok = state.value === input.from;
      return { state: ok ? next(input.to) : state, output: { ok } };
    }
  }
}

function newer(a: Versioned, b: Versioned): boolean {
  return a.counter > b.counter || (a.counter === b.counter && a.writer > b.writer);
}

function startServer(self: NodeId, transport: Transport<Message>, kind: ServerKind): void {
  let state: Versioned = { value: null, counter: 0, writer: "" };
  const answered = new Map<string, RegisterOutput>();
  transport.onMessage((from, message) => {
    if (message.type === "replicate") {
      if (newer(message.state, state)) state = message.state;
      return;
    }
    if (message.type !== "request") return;
    let output = kind === "single-deduplicating" ? answered.get(message.id) : undefined;
    if (output === undefined) {
      const before = state;
      ({ state, output } = apply(state, message.input, self));
      answered.set(message.id, output);
      if (kind === "replicated-ack-one" && state !== before) {
        for (const peer of replicas)
          if (peer !== self) transport.send(peer, { type: "replicate", state });
      }
    }
    transport.send(from, { type: "response", id: message.id, output });
  });
}

/** A client that resends a request every `resendMs` until it is answered or `deadlineMs` passes. */
function startClient(self: NodeId, env: Env, transport: Transport<Message>) {
  const waiting = new Map<string, (output: RegisterOutput) => void>();
  let sequence = 0;
  transport.onMessage((_from, message) => {
    if (message.type === "response") waiting.get(message.id)?.(message.output);
  });
  return {
    call(server: NodeId, input: RegisterInput, deadlineMs = 100, resendMs = 20) {
      const id = `${self}/${sequence++}`;
      return new Promise<RegisterOutput>((resolve, reject) => {
        let cancelResend = (): void => undefined;
        const send = (): void => {
          transport.send(server, { type: "request", id, input });
          cancelResend = env.scheduler.after(resendMs, send);
        };
        const cancelDeadline = env.scheduler.after(deadlineMs, () => {
          waiting.delete(id);
          cancelResend();
          reject(new TimeoutError(`${input.op} on ${server}`, deadlineMs));
        });
        waiting.set(id, (output) => {
          waiting.delete(id);
          cancelResend();
          cancelDeadline();
          resolve(output);
        });
        send();
      });
    },
  };
}

/**
 * Runs three clients doing `operationsPerClient` random reads, writes and compare-and-sets
 * against a register of the given kind, over a lossy, duplicating, reordering network; isolates
 * one server node for a while; returns the history and lincheck's verdict.
 */
export async function runRegister(seed: number, kind: ServerKind, operationsPerClient = 15) {
  const sim = new Simulation<Message>({
    seed,
    network: { lossRate: 0.1, duplicateRate: 0.2, latency: { minMs: 1, maxMs: 15 } },
  });
  const servers = kind === "replicated-ack-one" ? replicas : replicas.slice(0, 1);
  for (const id of servers) {
    sim.addNode(id, { boot: ({ transport }) => startServer(id, transport, kind) });
  }
  const history = new History<RegisterInput, RegisterOutput>();
  const loops = clients.map((id) => {
    const node = sim.addNode(id, { boot: ({ env, transport }) => startClient(id, env, transport) });
    return sim.spawn(`client ${id}`, async () => {
      const client = await node.ready();
      for (let n = 0; n < operationsPerClient; n++) {
        const value = sim.random.int(0, 4);
        const input = sim.random.pick<RegisterInput>([
          { op: "read" },
          { op: "write", value },
          { op: "cas", from: value, to: sim.random.int(0, 4) },
        ]);
        const operation = history.invoke(id, input);
        try {
          operation.ok(await client.call(sim.random.pick(servers), input));
        } catch (error) {
          if (!(error instanceof TimeoutError)) throw error;
          operation.indeterminate();
        }
      }
    });
  });
  sim.at(100, "isolate a server", () => {
    const heal = sim.network.isolate(sim.random.pick(servers));
    sim.at(250, "heal", heal);
  });
  await sim.runUntilSettled(loops);
  const file = history.toHistoryFile("register", { source: `${kind}, seed ${seed}` });
  return { sim, file, result: checkHistory(file) };
}
