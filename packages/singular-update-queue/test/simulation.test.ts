import type { Env, NodeId, Transport } from "@pods/core-interfaces";
import { runSeeds, seedsFromEnv, Simulation } from "@pods/simulation";
import { describe, expect, it } from "vitest";
import { QueueFullError, SingularUpdateQueue } from "../src/index.ts";

// A server applies requests from three clients through its update queue; the handler appends each
// to a file and syncs it (slow, awaited I/O). The network loses, duplicates, delays and reorders;
// the server pauses once. Whatever arrives is applied one at a time in the order it was submitted,
// the queue never holds more than its capacity, and the same seed gives the same run.

type Message =
  { type: "request"; client: NodeId; n: number } | { type: "reply"; n: number; ok: boolean };

const clients = ["delphi", "ephesus", "sparta"] as const;
const capacityMax = 4;
const requestsPerClient = 30;

interface Server {
  readonly queue: SingularUpdateQueue<string, number>;
  readonly submitted: string[];
  readonly applied: string[];
  readonly unexpectedErrors: unknown[];
  inFlight: number;
}

function startServer(env: Env, transport: Transport<Message>): Server {
  const server: Server = {
    queue: undefined as unknown as SingularUpdateQueue<string, number>,
    submitted: [],
    applied: [],
    unexpectedErrors: [],
    inFlight: 0,
  };
  let offset = 0;
  const file = env.disk.open("applied.log", { create: true });
  const queue = new SingularUpdateQueue(
    async (record: string) => {
      server.inFlight++;
      const bytes = new TextEncoder().encode(`${record}\n`);
      const handle = await file;
      await handle.write(offset, bytes);
      await handle.sync();
      offset += bytes.length;
      server.applied.push(record);
      server.inFlight--;
      return server.applied.length;
    },
    { capacityMax, overflow: "reject", clock: env.clock, name: "update queue of athens" },
  );
  transport.onMessage((from, message) => {
    if (message.type !== "request") return;
    const record = `${message.client}:${message.n}`;
    const reply = (ok: boolean): void => transport.send(from, { type: "reply", n: message.n, ok });
    server.submitted.push(record);
    queue.submit(record).then(
      () => reply(true),
      (error: unknown) => {
        if (!(error instanceof QueueFullError)) server.unexpectedErrors.push(error);
        server.submitted.splice(server.submitted.lastIndexOf(record), 1); // not accepted
        reply(false);
      },
    );
  });
  return Object.assign(server, { queue });
}

/** Sends its requests one after another, resending after 40 ms without an accepting reply. */
function startClient(sim: Simulation<Message>, env: Env, transport: Transport<Message>) {
  let answered = -1;
  transport.onMessage((_from, message) => {
    if (message.type === "reply" && message.ok) answered = Math.max(answered, message.n);
  });
  return sim.spawn(`client ${transport.localId}`, async () => {
    for (let n = 0; n < requestsPerClient; n++) {
      while (answered < n) {
        transport.send("athens", { type: "request", client: transport.localId, n });
        await sim.sleep(40 + env.random.int(0, 20));
      }
    }
  });
}

async function run(seed: number) {
  const sim = new Simulation<Message>({
    seed,
    network: { lossRate: 0.1, duplicateRate: 0.1, latency: { minMs: 1, maxMs: 30 } },
  });
  const athens = sim.addNode("athens", {
    boot: ({ env, transport }) => startServer(env, transport),
  });
  const clientNodes = clients.map((id) =>
    sim.addNode(id, { boot: ({ env, transport }) => ({ env, transport }) }),
  );
  await sim.runFor(0);
  const server = athens.instance;
  sim.addInvariant("one handler in flight, depth within capacity", () => {
    expect(server.inFlight).toBeLessThanOrEqual(1);
    expect(server.queue.metrics.depth).toBeLessThanOrEqual(capacityMax);
  });
  sim.at(300, "pause athens", () => athens.pause());
  sim.at(450, "resume athens", () => athens.resume());
  const tasks = clientNodes.map((node) => {
    const { env, transport } = node.instance;
    return startClient(sim, env, transport);
  });
  await sim.runUntilSettled(tasks, { timeoutMs: 600_000 });
  await sim.runUntilSettled([sim.spawn("drain", () => server.queue.drain())]);
  return { sim, server, file: readApplied(sim) };
}

/** The durable content of athens's file, one record a line. */
function readApplied(sim: Simulation<Message>): string[] {
  const { durable } = sim.node("athens").disk.readRaw("applied.log");
  return new TextDecoder()
    .decode(durable)
    .split("\n")
    .filter((line) => line !== "");
}

describe("singular-update-queue under a faulty network", () => {
  it("applies accepted requests one at a time, in submission order, within capacity", async () => {
    await runSeeds(
      seedsFromEnv({ defaultCount: 10 }),
      async (seed) => {
        const { sim, server, file } = await run(seed);
        sim.check("no item failed", () => expect(server.unexpectedErrors).toEqual([]));
        sim.check("applied in submission order", () =>
          expect(server.applied).toEqual(server.submitted),
        );
        sim.check("the file holds the same order", () => expect(file).toEqual(server.applied));
        sim.check("every request applied at least once", () => {
          for (const client of clients) {
            for (let n = 0; n < requestsPerClient; n++) expect(file).toContain(`${client}:${n}`);
          }
        });
        sim.check("back-pressure refused some submits", () =>
          expect(server.queue.metrics.rejectedFull).toBeGreaterThan(0),
        );
        sim.check("metrics add up", () =>
          expect(server.queue.metrics).toMatchObject({
            processed: server.applied.length,
            failed: 0,
            depth: 0,
            depthMax: capacityMax,
          }),
        );
      },
      { file: import.meta.url },
    );
  }, 120_000);

  it("replays exactly from its seed", async () => {
    const first = await run(7);
    const second = await run(7);
    expect(second.sim.traceHash).toBe(first.sim.traceHash);
    expect(second.file).toEqual(first.file);
    expect((await run(8)).sim.traceHash).not.toBe(first.sim.traceHash);
  }, 60_000);
});
