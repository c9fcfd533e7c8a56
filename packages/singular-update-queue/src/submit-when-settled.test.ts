import { describe, expect, it } from "vitest";
import { SingularUpdateQueue } from "./singular-update-queue.ts";
import { submitWhenSettled, type Outcome } from "./submit-when-settled.ts";

describe("submitWhenSettled", () => {
  it("submits the value or the error of side work as a new item of the target queue", async () => {
    const seen: Outcome<number>[] = [];
    const queue = new SingularUpdateQueue((outcome: Outcome<number>) => {
      seen.push(outcome);
      return outcome.ok ? outcome.value + 1 : -1;
    });
    const failure = new Error("validation service down");
    await expect(submitWhenSettled(queue, Promise.resolve(41), (o) => o)).resolves.toBe(42);
    await expect(submitWhenSettled(queue, Promise.reject(failure), (o) => o)).resolves.toBe(-1);
    expect(seen).toEqual([
      { ok: true, value: 41 },
      { ok: false, error: failure },
    ]);
  });

  it("lets a handler feed a result back to its own queue without deadlocking", async () => {
    const log: string[] = [];
    const queue: SingularUpdateQueue<string, string> = new SingularUpdateQueue(
      (request: string) => {
        log.push(request);
        if (request === "start") {
          void submitWhenSettled(queue, Promise.resolve("side work"), (o) =>
            o.ok ? `done: ${o.value}` : "failed",
          );
        }
        return request;
      },
    );
    await queue.submit("start");
    await queue.submit("next");
    await queue.drain();
    expect(log).toEqual(["start", "done: side work", "next"]);
  });

  it("rejects with the target's error and with the error toRequest throws", async () => {
    const queue = new SingularUpdateQueue((n: number) => n);
    await queue.close();
    await expect(submitWhenSettled(queue, Promise.resolve(1), () => 1)).rejects.toThrow(/closed/);
    await expect(
      submitWhenSettled(queue, Promise.resolve(1), () => {
        throw new Error("cannot map");
      }),
    ).rejects.toThrow("cannot map");
  });
});
