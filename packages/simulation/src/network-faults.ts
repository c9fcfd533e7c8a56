import { assertNodeId, InvalidArgumentError, type NodeId } from "@pods/core-interfaces";

/**
 * How a blocked link or a rule fails a message: `"drop"` loses it silently (the sender learns
 * nothing); `"refuse"` makes `send()` throw `UnreachableError` at once (a refused connection).
 */
export type BlockMode = "drop" | "refuse";

/** What a {@link NetworkRule} does to the messages it matches. */
export type RuleAction =
  | { readonly kind: "drop" }
  | { readonly kind: "refuse" }
  | { readonly kind: "delay"; readonly extraMs: number }
  | { readonly kind: "duplicate"; readonly copies: number };

/**
 * A targeted network fault: which messages it matches (every given filter must match) and what it
 * does to them. Rules are checked at send time, in the order they were added.
 *
 * @typeParam M - the network's message type.
 */
export interface NetworkRule<M> {
  /** A name for the trace. Default: `"rule <n>"`. */
  readonly name?: string;
  /** Matches messages sent by this node (or these nodes). */
  readonly from?: NodeId | readonly NodeId[];
  /** Matches messages sent to this node (or these nodes). */
  readonly to?: NodeId | readonly NodeId[];
  /** Matches messages whose `type` property is this string (or one of these). */
  readonly type?: string | readonly string[];
  /** Matches messages for which this returns true. */
  readonly match?: (message: M, from: NodeId, to: NodeId) => boolean;
  /** Lets the first `afterCount` matching messages through untouched, then acts. Default 0. */
  readonly afterCount?: number;
  /** What happens to a matching message. */
  readonly action: RuleAction;
}

/** The combined effect of every rule on one message. */
export interface RuleVerdict {
  /** The rule that refused or dropped it, if one did. */
  readonly stoppedBy: { readonly name: string; readonly mode: BlockMode } | undefined;
  /** Extra latency added by delay rules, in ms. */
  readonly extraDelayMs: number;
  /** Extra copies added by duplicate rules. */
  readonly extraCopies: number;
}

/** The `type` property of a message, when it has a string one. */
export function messageType(message: unknown): string | undefined {
  if (typeof message !== "object" || message === null) return undefined;
  const type = (message as { type?: unknown }).type;
  return typeof type === "string" ? type : undefined;
}

function asList<T>(value: T | readonly T[] | undefined): readonly T[] | undefined {
  return value === undefined ? undefined : Array.isArray(value) ? value : [value as T];
}

interface ActiveRule<M> {
  readonly name: string;
  readonly from: readonly NodeId[] | undefined;
  readonly to: readonly NodeId[] | undefined;
  readonly types: readonly string[] | undefined;
  readonly match: ((message: M, from: NodeId, to: NodeId) => boolean) | undefined;
  readonly afterCount: number;
  readonly action: RuleAction;
  matched: number;
}

function validateAction(action: RuleAction): void {
  switch (action.kind) {
    case "drop":
    case "refuse":
      return;
    case "delay":
      if (!Number.isFinite(action.extraMs) || action.extraMs < 0) {
        throw new InvalidArgumentError(
          `a delay rule needs extraMs >= 0, got ${String(action.extraMs)}.`,
        );
      }
      return;
    case "duplicate":
      if (!Number.isSafeInteger(action.copies) || action.copies < 1) {
        throw new InvalidArgumentError(
          `a duplicate rule needs an integer copies >= 1, got ${String(action.copies)}.`,
        );
      }
      return;
    default:
      throw new InvalidArgumentError(
        `unknown rule action ${JSON.stringify(action)}; use drop, refuse, delay or duplicate.`,
      );
  }
}

/** The rules of a network, checked in the order they were added. @internal */
export class RuleSet<M> {
  #rules: ActiveRule<M>[] = [];
  #added = 0;

  add(rule: NetworkRule<M>): () => void {
    const afterCount = rule.afterCount ?? 0;
    if (!Number.isSafeInteger(afterCount) || afterCount < 0) {
      throw new InvalidArgumentError(`afterCount must be an integer >= 0, got ${afterCount}.`);
    }
    validateAction(rule.action);
    const from = asList(rule.from);
    const to = asList(rule.to);
    for (const id of [...(from ?? []), ...(to ?? [])]) assertNodeId(id, "rule node");
    const active: ActiveRule<M> = {
      name: rule.name ?? `rule ${++this.#added}`,
      from,
      to,
      types: asList(rule.type),
      match: rule.match,
      afterCount,
      action: rule.action,
      matched: 0,
    };
    this.#rules.push(active);
    return () => {
      this.#rules = this.#rules.filter((candidate) => candidate !== active);
    };
  }

  clear(): void {
    this.#rules = [];
  }

  get size(): number {
    return this.#rules.length;
  }

  evaluate(from: NodeId, to: NodeId, message: M): RuleVerdict {
    let extraDelayMs = 0;
    let extraCopies = 0;
    if (this.#rules.length === 0) return { stoppedBy: undefined, extraDelayMs, extraCopies };
    const type = messageType(message);
    for (const rule of this.#rules) {
      if (rule.from !== undefined && !rule.from.includes(from)) continue;
      if (rule.to !== undefined && !rule.to.includes(to)) continue;
      if (rule.types !== undefined && (type === undefined || !rule.types.includes(type))) continue;
      if (rule.match !== undefined && !rule.match(message, from, to)) continue;
      rule.matched++;
      if (rule.matched <= rule.afterCount) continue;
      const action = rule.action;
      switch (action.kind) {
        case "drop":
        case "refuse":
          return { stoppedBy: { name: rule.name, mode: action.kind }, extraDelayMs, extraCopies };
        case "delay":
          extraDelayMs += action.extraMs;
          break;
        case "duplicate":
          extraCopies += action.copies;
          break;
      }
    }
    return { stoppedBy: undefined, extraDelayMs, extraCopies };
  }
}

/** Blocked directed links (partitions, isolations, one-way blocks). @internal */
export class LinkBlocks {
  readonly #blocked = new Map<NodeId, Map<NodeId, BlockMode>>();

  get(from: NodeId, to: NodeId): BlockMode | undefined {
    return this.#blocked.get(from)?.get(to);
  }

  block(from: NodeId, to: NodeId, mode: BlockMode): void {
    let targets = this.#blocked.get(from);
    if (targets === undefined) {
      targets = new Map();
      this.#blocked.set(from, targets);
    }
    targets.set(to, mode);
  }

  unblock(from: NodeId, to: NodeId): void {
    this.#blocked.get(from)?.delete(to);
  }

  clear(): void {
    this.#blocked.clear();
  }

  get size(): number {
    let count = 0;
    for (const targets of this.#blocked.values()) count += targets.size;
    return count;
  }
}
