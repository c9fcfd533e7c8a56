/**
 * @pods/singular-update-queue: one consumer that applies state changes one at a time, in order,
 * with bounded capacity, back-pressure and a promise per item.
 *
 * @packageDocumentation
 */

export { QueueFullError } from "./queue-full-error.ts";
export {
  SingularUpdateQueue,
  type CloseOptions,
  type OverflowPolicy,
  type SingularUpdateQueueOptions,
  type UpdateHandler,
  type UpdateQueueMetrics,
} from "./singular-update-queue.ts";
export { submitWhenSettled, type Outcome, type Submitter } from "./submit-when-settled.ts";
