/**
 * @pods/replicated-log: A Raft-grade replicated log: elections, pipelined replication, commit by majority, ReadIndex and lease reads, snapshots and membership changes.
 *
 * @packageDocumentation
 */

/** The name this package is published under. */
export const packageName = "@pods/replicated-log";
