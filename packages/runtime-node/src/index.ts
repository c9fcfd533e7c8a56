/**
 * @pods/runtime-node: the real ports on Node.js — monotonic and wall clocks, timers, crypto-seeded
 * random, a durable file-system `Disk`, a JSON-lines logger — and `createNodeEnv({ dataDir })`,
 * which wires them into the `Env` every Pods pattern runs on; and `freeLoopbackPorts(n)` for tests and
 * local clusters that start servers.
 *
 * @packageDocumentation
 */

export { systemClock } from "./clock.ts";
export { createCryptoRandom, type CryptoRandomOptions } from "./crypto-random.ts";
export { freeLoopbackPort, freeLoopbackPorts } from "./free-port.ts";
export { createFsDisk } from "./fs-disk.ts";
export { createJsonLogger, type JsonLoggerOptions } from "./json-logger.ts";
export { createNodeEnv, type NodeEnvOptions } from "./node-env.ts";
export {
  createTimerScheduler,
  timerDelayMsMax,
  type TimerSchedulerOptions,
} from "./timer-scheduler.ts";
