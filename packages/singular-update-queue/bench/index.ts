// Benchmark of @pods/singular-update-queue, side by side with its baseline in the same process:
// items per second through the queue against a bare loop that awaits the same handler directly
// (the cheapest way to run a handler one item at a time). The gap is the queue's own cost per
// item: its promise, a ring-buffer slot and the worker loop. Run with `pnpm bench`.
import { SingularUpdateQueue } from "@pods/singular-update-queue";
import { compareThroughput, writeBenchReport, type BenchResult } from "../../../bench-kit.js";

const chunk = 1_000;
let state = 0;
const asyncHandler = (n: number): Promise<number> => Promise.resolve((state += n));

const bareAwaitLoop = {
  name: "bare loop awaiting the async handler",
  work: async () => {
    for (let i = 0; i < chunk; i++) await asyncHandler(1);
    return chunk;
  },
};

const results: BenchResult[] = [];

const sequential = new SingularUpdateQueue(asyncHandler);
results.push(
  await compareThroughput({
    name: "async handler, one producer awaiting each submit",
    subject: {
      work: async () => {
        for (let i = 0; i < chunk; i++) await sequential.submit(1);
        return chunk;
      },
    },
    baseline: bareAwaitLoop,
  }),
);

const concurrent = new SingularUpdateQueue(asyncHandler, { capacityMax: chunk });
results.push(
  await compareThroughput({
    name: `async handler, ${chunk} concurrent submits`,
    subject: {
      work: async () => {
        const results: Promise<number>[] = [];
        for (let i = 0; i < chunk; i++) results.push(concurrent.submit(1));
        await Promise.all(results);
        return chunk;
      },
    },
    baseline: bareAwaitLoop,
  }),
);

const backPressured = new SingularUpdateQueue(asyncHandler, {
  capacityMax: 100,
  waitingSubmitsMax: chunk,
});
results.push(
  await compareThroughput({
    name: `async handler, ${chunk} concurrent submits, capacityMax 100 (900 wait for space)`,
    subject: {
      work: async () => {
        const results: Promise<number>[] = [];
        for (let i = 0; i < chunk; i++) results.push(backPressured.submit(1));
        await Promise.all(results);
        return chunk;
      },
    },
    baseline: bareAwaitLoop,
  }),
);

if (state < 0) console.log(state);
writeBenchReport("singular-update-queue", "@pods/singular-update-queue", results);
