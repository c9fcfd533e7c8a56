import type { CommittedCommand, StateMachine } from "@pods/core-interfaces";

// Application state machines wrapped by sessions in the tests. Commands and responses are UTF-8.

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** UTF-8 bytes of `text`. */
export const utf8 = (text: string): Uint8Array => encoder.encode(text);
/** The text of UTF-8 `bytes`. */
export const text = (bytes: Uint8Array): string => decoder.decode(bytes);

/**
 * Named counters: the command is a counter's name; applying it adds one and answers the new value.
 * A request executed twice shows as a counter above the number of distinct requests.
 */
export class Counters implements StateMachine {
  counts = new Map<string, number>();
  /** Commands executed, in order (to check what ran, and where). */
  executed: { index: number; name: string }[] = [];

  apply(entry: CommittedCommand): Uint8Array {
    const name = text(entry.command);
    const value = (this.counts.get(name) ?? 0) + 1;
    this.counts.set(name, value);
    this.executed.push({ index: entry.index, name });
    return utf8(String(value));
  }

  snapshot(): Uint8Array {
    return utf8(JSON.stringify([...this.counts].sort(([a], [b]) => (a < b ? -1 : 1))));
  }

  restore(snapshot: Uint8Array): void {
    this.counts = new Map(JSON.parse(text(snapshot)) as [string, number][]);
    this.executed = [];
  }

  /** The value of counter `name` (0 if never incremented). */
  count(name: string): number {
    return this.counts.get(name) ?? 0;
  }
}

/**
 * Leases by name: `create <name>` answers `created <name>`, or `error: lease <name> exists` when it
 * exists already — the non-idempotent operation of the book's first scenario.
 */
export class Leases implements StateMachine {
  leases = new Set<string>();
  creations = 0;

  apply(entry: CommittedCommand): Uint8Array {
    const [verb, name = ""] = text(entry.command).split(" ");
    if (verb !== "create") return utf8(`error: unknown verb ${verb}`);
    if (this.leases.has(name)) return utf8(`error: lease ${name} exists`);
    this.leases.add(name);
    this.creations++;
    return utf8(`created ${name}`);
  }

  snapshot(): Uint8Array {
    return utf8(JSON.stringify([...this.leases].sort()));
  }

  restore(snapshot: Uint8Array): void {
    this.leases = new Set(JSON.parse(text(snapshot)) as string[]);
  }
}
