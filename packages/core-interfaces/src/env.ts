import type { Clock } from "./clock.ts";
import type { Disk } from "./disk.ts";
import type { Logger } from "./logger.ts";
import type { Random } from "./random.ts";
import type { Scheduler } from "./scheduler.ts";

/**
 * Everything nondeterministic a node uses, in one bundle. Pattern code receives an `Env` and never
 * reaches for globals, so the same code runs on Node (`createNodeEnv` from `@pods/runtime-node`) and
 * in the deterministic simulator (`@pods/simulation`). The transport is passed separately because
 * its message type belongs to the protocol.
 */
export interface Env {
  /** Monotonic and wall time. */
  readonly clock: Clock;
  /** Timers. */
  readonly scheduler: Scheduler;
  /** Randomness. */
  readonly random: Random;
  /** Durable storage, rooted at the node's data directory. */
  readonly disk: Disk;
  /** Structured events. */
  readonly logger: Logger;
}
