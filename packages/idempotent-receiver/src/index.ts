/**
 * @pods/idempotent-receiver: Client sessions in the replicated state machine, so a retried request is applied exactly once, even after a failover.
 *
 * @packageDocumentation
 */

/** The name this package is published under. */
export const packageName = "@pods/idempotent-receiver";
