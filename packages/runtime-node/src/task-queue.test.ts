import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { TaskQueue, type QueuedTask } from "./task-queue.ts";

describe("TaskQueue", () => {
  it("pops tasks by due time, then scheduling order, whatever is pushed and removed", () => {
    const operation = fc.oneof(
      fc.record({ push: fc.integer({ min: 0, max: 20 }) }),
      fc.record({ remove: fc.nat() }),
    );
    fc.assert(
      fc.property(fc.array(operation, { maxLength: 200 }), (operations) => {
        const queue = new TaskQueue();
        const model: QueuedTask[] = [];
        const pushed: QueuedTask[] = [];
        for (const op of operations) {
          if ("push" in op) {
            const task = queue.push(op.push, () => undefined);
            pushed.push(task);
            model.push(task);
          } else if (pushed.length > 0) {
            const task = pushed[op.remove % pushed.length] as QueuedTask;
            const wasQueued = model.includes(task);
            expect(queue.remove(task)).toBe(wasQueued);
            if (wasQueued) model.splice(model.indexOf(task), 1);
          }
        }
        model.sort((a, b) => a.dueMs - b.dueMs || a.seq - b.seq);
        expect(queue.size).toBe(model.length);
        const popped: QueuedTask[] = [];
        for (let task = queue.peek(); task !== undefined; task = queue.peek()) {
          queue.remove(task);
          popped.push(task);
        }
        expect(popped).toEqual(model);
      }),
    );
  });
});
