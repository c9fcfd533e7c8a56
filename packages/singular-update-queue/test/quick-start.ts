import { SingularUpdateQueue } from "@pods/singular-update-queue";

// The balances live behind async storage; every change goes through one queue.
const balances = new Map<string, number>();
const load = (account: string) => Promise.resolve(balances.get(account) ?? 0);
const store = (account: string, value: number) =>
  Promise.resolve(void balances.set(account, value));

const deposits = new SingularUpdateQueue(
  async ({ account, amount }: { account: string; amount: number }) => {
    const balance = await load(account); // other deposits would interleave here without the queue
    await store(account, balance + amount);
    return balance + amount;
  },
  { capacityMax: 50 }, // a 51st concurrent submit waits for space (overflow: "wait")
);

const results = await Promise.all(
  Array.from({ length: 100 }, () => deposits.submit({ account: "alice", amount: 1 })),
);
console.log(balances.get("alice"), Math.max(...results)); // 100 100
await deposits.close(); // later submits reject with ClosedError
