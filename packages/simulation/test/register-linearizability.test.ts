import { TimeoutError, type Env, type Transport } from "@pods/core-interfaces";
import { checkHistory, type RegisterInput, type RegisterOutput } from "@pods/lincheck";
import { History, runSeeds, seedsFromEnv, Simulation } from "@pods/simulation";
import { describe, expect, it } from "vitest";

// The shape every pattern package's scenario tests take: a workload of client loops recorded in
// a History, faults from the seed, and a checker (here: linearizability) over many seeds.

type Message =
  | { type: "request"; id: string; input: RegisterInput }
  | { type: "response"; id: string; output: RegisterOutput };

/** A register server. With `deduplicate` it answers a retried or duplicated request from a cache. */
function registerServer(transport: Transport<Message>, deduplicate: boolean): void {
  let value: number | null = null;
  const answered = new Map<string, RegisterOutput>();
  transport.onMessage((from, message) => {
    if (message.type !== "request") return;
    let output = deduplicate ? answered.get(message.id) : undefined;
    if (output === undefined) {
      const input = message.input;
      if (input.op === "read") output = { value };
      else if (input.op === "write") {
        value = input.value;
        output = {};
      } else {
        const ok = value === input.from;
        if (ok) value = input.to;
        output = { ok };
      }
      answered.set(message.id, output);
    }
    transport.send(from, { type: "response", id: message.id, output });
  });
}

/** A client that resends a request every 20 ms until it hears back. */
function registerClient(id: string, env: Env, transport: Transport<Message>) {
  const waiting = new Map<string, (output: RegisterOutput) => void>();
  let sequence = 0;
  transport.onMessage((_from, message) => {
    if (message.type === "response") waiting.get(message.id)?.(message.output);
  });
  return {
    call(input: RegisterInput): Promise<RegisterOutput> {
      const requestId = `${id}/${sequence++}`;
      return new Promise((resolve) => {
        let cancel = (): void => undefined;
        const send = (): void => {
          transport.send("athens", { type: "request", id: requestId, input });
          cancel = env.scheduler.after(20, send);
        };
        waiting.set(requestId, (output) => {
          waiting.delete(requestId);
          cancel();
          resolve(output);
        });
        send();
      });
    },
  };
}

async function registerRun(seed: number, deduplicate: boolean) {
  const sim = new Simulation<Message>({
    seed,
    network: { lossRate: 0.1, duplicateRate: 0.2, latency: { minMs: 1, maxMs: 15 } },
  });
  sim.addNode("athens", { boot: ({ transport }) => registerServer(transport, deduplicate) });
  const clients = ["byzantium", "cyrene", "delphi"].map((id) =>
    sim.addNode(id, { boot: ({ env, transport }) => registerClient(id, env, transport) }),
  );
  const history = new History<RegisterInput, RegisterOutput>();
  const loops = clients.map((node) =>
    sim.spawn(`client ${node.id}`, async () => {
      const client = await node.ready();
      for (let n = 0; n < 15; n++) {
        const value = sim.random.int(0, 4);
        const input: RegisterInput = sim.random.pick<RegisterInput>([
          { op: "read" },
          { op: "write", value },
          { op: "cas", from: value, to: sim.random.int(0, 4) },
        ]);
        const operation = history.invoke(node.id, input);
        try {
          operation.ok(await sim.withTimeout(client.call(input), 100, "register call"));
        } catch (error) {
          if (!(error instanceof TimeoutError)) throw error;
          operation.indeterminate();
        }
      }
    }),
  );
  sim.at(200, "partition the server", () => {
    const heal = sim.network.isolate("athens");
    sim.at(350, "heal", heal);
  });
  await sim.runUntilSettled(loops);
  const result = checkHistory(history.toHistoryFile("register", { source: `seed ${seed}` }));
  return { sim, verdict: result.verdict };
}

describe("a register over a faulty network, checked for linearizability", () => {
  it("a server that deduplicates retried requests is linearizable on every seed", async () => {
    await runSeeds(
      seedsFromEnv({ defaultCount: 10 }),
      async (seed) => {
        const { sim, verdict } = await registerRun(seed, true);
        sim.check("history is linearizable", () => {
          expect(verdict).toBe("linearizable");
        });
      },
      { file: import.meta.url },
    );
  });

  it("a server that re-applies duplicated requests is caught on some seed", async () => {
    const verdicts: string[] = [];
    for (let seed = 1; seed <= 20; seed++) verdicts.push((await registerRun(seed, false)).verdict);
    expect(verdicts).toContain("not linearizable");
  });
});
