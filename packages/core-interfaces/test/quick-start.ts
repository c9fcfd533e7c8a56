import { isPodsError, TimeoutError, type Scheduler } from "@pods/core-interfaces";

// A component written against the ports: it never calls setTimeout itself, so the same code runs
// on Node (createNodeEnv().scheduler) and in the deterministic simulator.
function withTimeout<T>(scheduler: Scheduler, work: Promise<T>, ms: number, what: string) {
  return new Promise<T>((resolve, reject) => {
    const cancel = scheduler.after(ms, () => reject(new TimeoutError(what, ms)));
    work.finally(cancel).then(resolve, reject);
  });
}

// A hand-driven scheduler, to show that time is whatever the port says it is.
const due: (() => void)[] = [];
const manual: Scheduler = { after: (_ms, task) => (due.push(task), () => undefined) };

const outcome = withTimeout(manual, new Promise(() => {}), 100, "get x").catch((error: unknown) =>
  isPodsError(error) ? `${error.code}, ${error.outcome}` : "unexpected",
);
due.forEach((task) => task());
console.log(await outcome); // TIMEOUT, indefinite
