/**
 * @pods/leader-and-followers: Leader election with generations, randomised timeouts, up-to-date-log votes, PreVote, CheckQuorum and leadership transfer.
 *
 * @packageDocumentation
 */

/** The name this package is published under. */
export const packageName = "@pods/leader-and-followers";
