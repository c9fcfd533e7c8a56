/**
 * @pods/runtime-node: The runtime-node pattern of Patterns of Distributed Systems.
 *
 * @packageDocumentation
 */

/** The name this package is published under. */
export const packageName = "@pods/runtime-node";
