/**
 * @pods/write-ahead-log: A durable, checksummed, append-only log of commands with group commit, torn-tail recovery and truncation, on any Disk.
 *
 * @packageDocumentation
 */

/** The name this package is published under. */
export const packageName = "@pods/write-ahead-log";
