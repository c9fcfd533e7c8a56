/**
 * @pods/generation-clock: Generations (terms) that only grow: durable term and vote, generation history, fencing of stale leaders, ballots and generation voting.
 *
 * @packageDocumentation
 */

/** The name this package is published under. */
export const packageName = "@pods/generation-clock";
