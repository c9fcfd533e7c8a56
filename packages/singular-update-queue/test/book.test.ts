import { ClosedError } from "@pods/core-interfaces";
import { runSeeds, seedsFromEnv, Simulation } from "@pods/simulation";
import { describe, expect, it } from "vitest";
import { QueueFullError, SingularUpdateQueue, submitWhenSettled } from "../src/index.ts";

// The acceptance scenarios of PATTERNS.md, "11. Singular Update Queue", one test each.

/** A bank account whose balance is read and written around an awaited, randomly long delay. */
function depositsOf(sim: Simulation<never>, count: number, useQueue: boolean) {
  let balance = 0;
  const deposit = async (amount: number): Promise<number> => {
    const read = balance;
    await sim.sleep(sim.random.int(0, 10)); // the storage round trip between read and write
    balance = read + amount;
    return balance;
  };
  const queue = new SingularUpdateQueue(deposit, { capacityMax: 100 });
  const tasks = Array.from({ length: count }, (_, n) =>
    sim.spawn(`deposit ${n}`, () => (useQueue ? queue.submit(1) : deposit(1))),
  );
  return { tasks, balance: () => balance };
}

describe("singular-update-queue, book scenarios", () => {
  it("no-lost-updates", async () => {
    await runSeeds(
      seedsFromEnv({ defaultCount: 5 }),
      async (seed) => {
        const queued = new Simulation<never>({ seed });
        const withQueue = depositsOf(queued, 1000, true);
        await queued.runUntilSettled(withQueue.tasks);
        queued.check("every deposit counted", () => expect(withQueue.balance()).toBe(1000));

        const racing = new Simulation<never>({ seed });
        const withoutQueue = depositsOf(racing, 1000, false);
        await racing.runUntilSettled(withoutQueue.tasks);
        racing.check("without the queue, deposits are lost", () =>
          expect(withoutQueue.balance()).toBeLessThan(1000),
        );
      },
      { file: import.meta.url },
    );
  }, 120_000);

  it("failure-is-local", async () => {
    const handled: number[] = [];
    const queue = new SingularUpdateQueue(async (n: number) => {
      await Promise.resolve();
      if (n === 5) throw new Error("item 5 is refused");
      handled.push(n);
      return n;
    });
    const outcomes = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) => queue.submit(i + 1)),
    );
    expect(outcomes[4]).toEqual({ status: "rejected", reason: new Error("item 5 is refused") });
    expect(outcomes.slice(5)).toEqual(
      [6, 7, 8, 9, 10].map((value) => ({ status: "fulfilled", value })),
    );
    expect(handled).toEqual([1, 2, 3, 4, 6, 7, 8, 9, 10]);
  });

  it("back-pressure", async () => {
    let unblock = (): void => undefined;
    const blocked = new Promise<void>((resolve) => (unblock = resolve));
    const rejecting = new SingularUpdateQueue(() => blocked, {
      capacityMax: 10,
      overflow: "reject",
    });
    const rejectOutcomes = Promise.allSettled(
      Array.from({ length: 15 }, () => rejecting.submit(1)),
    );

    let depthMax = 0;
    const waiting: SingularUpdateQueue<number, number> = new SingularUpdateQueue(
      async (n: number) => {
        depthMax = Math.max(depthMax, waiting.metrics.depth);
        await blocked;
        return n;
      },
      { capacityMax: 10, overflow: "wait" },
    );
    const waitOutcomes = Promise.all(Array.from({ length: 15 }, (_, n) => waiting.submit(n)));
    expect(waiting.metrics).toMatchObject({ depth: 10, waitingSubmits: 5 });

    unblock();
    const rejected = await rejectOutcomes;
    expect(rejected.filter((o) => o.status === "fulfilled")).toHaveLength(10);
    const refused = rejected.filter((o) => o.status === "rejected");
    expect(refused).toHaveLength(5);
    for (const o of refused) expect(o.reason).toBeInstanceOf(QueueFullError);

    expect(await waitOutcomes).toEqual(Array.from({ length: 15 }, (_, n) => n));
    expect(depthMax).toBe(10);
    expect(waiting.metrics.depthMax).toBe(10);
  });

  it("chained-validation", async () => {
    type Message =
      | { type: "validate"; id: number; amount: number }
      | { type: "verdict"; id: number; ok: boolean };
    type Item =
      | { type: "credit"; amount: number }
      | { type: "debit"; amount: number }
      | { type: "validated"; amount: number; ok: boolean };

    await runSeeds(
      seedsFromEnv({ defaultCount: 5 }),
      async (seed) => {
        const sim = new Simulation<Message>({
          seed,
          network: { latency: { minMs: 5, maxMs: 50 } },
        });
        // byzantium validates credits (refusing amounts over 500) after a slow check
        sim.addNode("byzantium", {
          boot: ({ env, transport }) =>
            transport.onMessage((from, message) => {
              if (message.type !== "validate") return;
              env.scheduler.after(20, () =>
                transport.send(from, {
                  type: "verdict",
                  id: message.id,
                  ok: message.amount <= 500,
                }),
              );
            }),
        });
        const account = { balance: 1000, insideWorker: false, writesOutsideWorker: 0 };
        const write = (balance: number): void => {
          if (!account.insideWorker) account.writesOutsideWorker++;
          account.balance = balance;
        };
        const athens = sim.addNode("athens", {
          boot: ({ transport }) => {
            const verdicts = new Map<number, (ok: boolean) => void>();
            transport.onMessage((_from, message) => {
              if (message.type === "verdict") verdicts.get(message.id)?.(message.ok);
            });
            let nextId = 0;
            const queue: SingularUpdateQueue<Item, number> = new SingularUpdateQueue(
              (item: Item) => {
                account.insideWorker = true;
                try {
                  switch (item.type) {
                    case "credit": {
                      const id = nextId++;
                      const verdict = new Promise<boolean>((resolve) => verdicts.set(id, resolve));
                      transport.send("byzantium", { type: "validate", id, amount: item.amount });
                      // the validation runs outside the worker; its verdict comes back as an item
                      void submitWhenSettled(queue, verdict, (outcome): Item => ({
                        type: "validated",
                        amount: item.amount,
                        ok: outcome.ok && outcome.value,
                      }));
                      return account.balance;
                    }
                    case "validated":
                      if (item.ok) write(account.balance + item.amount);
                      return account.balance;
                    case "debit":
                      write(account.balance - item.amount);
                      return account.balance;
                  }
                } finally {
                  account.insideWorker = false;
                }
              },
            );
            return queue;
          },
        });
        await athens.ready();
        const queue = athens.instance;
        const client = sim.spawn("client", async () => {
          const submitted: Promise<number>[] = [];
          for (const item of [
            { type: "credit", amount: 300 },
            { type: "debit", amount: 100 },
            { type: "credit", amount: 900 }, // refused by the validator
            { type: "debit", amount: 50 },
            { type: "credit", amount: 20 },
          ] as const) {
            submitted.push(queue.submit(item));
            await sim.sleep(sim.random.int(0, 30));
          }
          await Promise.all(submitted);
          await sim.sleep(500); // every verdict has come back and been applied
          await queue.drain();
        });
        await sim.runUntilSettled([client]);
        sim.check("credited amount is right", () =>
          expect(account.balance).toBe(1000 + 300 - 100 - 50 + 20),
        );
        sim.check("no state change outside the worker", () =>
          expect(account.writesOutsideWorker).toBe(0),
        );
      },
      { file: import.meta.url },
    );
  }, 120_000);

  it("close", async () => {
    const sim = new Simulation<never>({ seed: 1 });
    const queue = new SingularUpdateQueue((n: number) => n);
    const startedMs = sim.now;
    const result = await sim.runUntilSettled([
      sim.spawn("closer", async () => {
        await queue.close();
        return queue.submit(1).catch((error: unknown) => error);
      }),
    ]);
    expect(sim.now).toBe(startedMs);
    expect(result[0]).toBeInstanceOf(ClosedError);
  });
});
