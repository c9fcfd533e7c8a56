import type { CommittedCommand, StateMachine } from "@pods/core-interfaces";

// A small key-value state machine for the scenario tests: commands are JSON puts and appends;
// the result says where the command was applied, so tests can track acknowledged writes.

/** A write to the store. */
export interface KvCommand {
  readonly op: "put" | "append";
  readonly key: string;
  readonly value: string;
}

/** What applying a command returns: where it landed in the log. */
export interface KvApplied {
  readonly index: number;
  readonly generation: number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Encodes a command for `propose`. */
export function encodeCommand(command: KvCommand): Uint8Array {
  return encoder.encode(JSON.stringify(command));
}

/** The key-value store: a map, changed only by applied commands. */
export class KvStateMachine implements StateMachine<KvApplied> {
  readonly data = new Map<string, string>();
  /** Every command applied, in order (index, generation, cluster time). */
  readonly applied: CommittedCommand[] = [];

  /** @param onApply - called with each command first (the tests' state-machine-safety check). */
  constructor(private readonly onApply: (command: CommittedCommand) => void = () => undefined) {}

  apply(command: CommittedCommand): KvApplied {
    this.onApply(command);
    this.applied.push(command);
    const { op, key, value } = JSON.parse(decoder.decode(command.command)) as KvCommand;
    this.data.set(key, op === "put" ? value : (this.data.get(key) ?? "") + value);
    return { index: command.index, generation: command.generation };
  }

  get(key: string): string {
    return this.data.get(key) ?? "";
  }

  snapshot(): Uint8Array {
    return encoder.encode(JSON.stringify([...this.data]));
  }

  restore(snapshot: Uint8Array): void {
    this.data.clear();
    for (const [key, value] of JSON.parse(decoder.decode(snapshot)) as [string, string][]) {
      this.data.set(key, value);
    }
  }
}
