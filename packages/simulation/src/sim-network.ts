import {
  assertNodeId,
  InvalidArgumentError,
  UnreachableError,
  type Codec,
  type NodeId,
  type Transport,
} from "@pods/core-interfaces";
import { copyMessage } from "./copy-message.ts";
import type { Incarnation } from "./incarnation.ts";
import {
  LinkBlocks,
  messageType,
  RuleSet,
  type BlockMode,
  type NetworkRule,
} from "./network-faults.ts";
import {
  assertRate,
  dropReasons,
  validateLatency,
  type DropReason,
  type LatencyModel,
  type NetworkOptions,
  type NetworkStats,
} from "./network-options.ts";
import type { SeededRandom } from "./seeded-random.ts";
import { SimTransport } from "./sim-transport.ts";
import { runGuarded, type World } from "./world.ts";

/** Options of the link faults. */
export interface BlockOptions {
  /** Drop silently (default) or make `send()` throw `UnreachableError`. */
  readonly mode?: BlockMode;
}

/** Undoes the fault that returned it. */
export type Heal = () => void;

interface InFlight<M> {
  readonly id: number;
  readonly from: NodeId;
  readonly to: NodeId;
  readonly type: string;
  readonly wire: M | Uint8Array;
  readonly destination: SimTransport<M>;
}

/**
 * The simulated network between the nodes of a {@link Simulation}: latency, loss, duplication,
 * reordering, partitions and targeted rules, all drawn from the run's seed.
 *
 * Link blocks (partitions, isolation, one-way blocks) are checked when a message is sent and again
 * when it arrives: cutting a link also drops the messages already in flight on it. Rules are
 * checked only at send time. Messages to a crashed node are dropped, also those in flight when it
 * crashed; messages to a paused node wait until it resumes.
 *
 * @typeParam M - the message type.
 */
export class SimNetwork<M> {
  readonly #world: World;
  readonly #random: SeededRandom;
  readonly #latency: LatencyModel;
  readonly #fifo: boolean;
  readonly #codec: Codec<M> | undefined;
  readonly #inFlightMax: number;
  readonly #nodes = new Set<NodeId>();
  readonly #transports = new Map<NodeId, SimTransport<M>>();
  readonly #blocks = new LinkBlocks();
  readonly #rules = new RuleSet<M>();
  readonly #lastDueByLink = new Map<string, number>();
  readonly #dropped = Object.fromEntries(dropReasons.map((reason) => [reason, 0])) as Record<
    DropReason,
    number
  >;
  #lossRate: number;
  #duplicateRate: number;
  #nextMessageId = 1;
  #sent = 0;
  #delivered = 0;
  #duplicated = 0;
  #refused = 0;
  #inFlight = 0;

  /** @internal */
  constructor(world: World, options: NetworkOptions<M> = {}) {
    this.#world = world;
    this.#random = world.random.fork("network");
    this.#latency = options.latency ?? { minMs: 1, maxMs: 5 };
    validateLatency(this.#latency);
    this.#lossRate = options.lossRate ?? 0;
    assertRate(this.#lossRate, "lossRate");
    this.#duplicateRate = options.duplicateRate ?? 0;
    assertRate(this.#duplicateRate, "duplicateRate");
    this.#fifo = options.fifo ?? false;
    this.#codec = options.codec;
    this.#inFlightMax = options.inFlightMax ?? 100_000;
    if (!Number.isSafeInteger(this.#inFlightMax) || this.#inFlightMax < 1) {
      throw new InvalidArgumentError(
        `inFlightMax must be an integer >= 1, got ${this.#inFlightMax}.`,
      );
    }
  }

  /** @internal Makes `id` a known destination. */
  register(id: NodeId): void {
    this.#nodes.add(id);
  }

  /** @internal The transport of a new incarnation; replaces the node's previous one. */
  attach(incarnation: Incarnation): Transport<M> {
    const transport = new SimTransport<M>(incarnation, (sender, to, message) => {
      this.#send(sender, to, message);
    });
    this.#transports.set(incarnation.nodeId, transport);
    return transport;
  }

  /** @internal The node crashed: its handlers are detached. */
  detach(id: NodeId): void {
    this.#transports.get(id)?.detachHandlers();
    this.#transports.delete(id);
  }

  /** A snapshot of the counters. */
  get stats(): NetworkStats {
    return {
      sent: this.#sent,
      delivered: this.#delivered,
      duplicated: this.#duplicated,
      refused: this.#refused,
      inFlight: this.#inFlight,
      dropped: { ...this.#dropped },
    };
  }

  /** Changes the probability of random loss, in [0, 1]. */
  setLossRate(rate: number): void {
    assertRate(rate, "lossRate");
    this.#lossRate = rate;
    this.#world.trace(`fault network loss-rate ${rate}`);
  }

  /** Changes the probability of random duplication, in [0, 1]. */
  setDuplicateRate(rate: number): void {
    assertRate(rate, "duplicateRate");
    this.#duplicateRate = rate;
    this.#world.trace(`fault network duplicate-rate ${rate}`);
  }

  /** Blocks the one-way link `from` → `to`. Returns a function that unblocks it. */
  blockLink(from: NodeId, to: NodeId, options: BlockOptions = {}): Heal {
    return this.#blockAll([[from, to]], options, `block ${from}->${to}`);
  }

  /** Unblocks the one-way link `from` → `to` (whatever blocked it). */
  healLink(from: NodeId, to: NodeId): void {
    assertNodeId(from, "from");
    assertNodeId(to, "to");
    this.#blocks.unblock(from, to);
    this.#world.trace(`fault heal ${from}->${to}`);
  }

  /**
   * A two-way partition: no message crosses between `groupA` and `groupB` in either direction.
   * Links inside each group are untouched. Returns a function that heals exactly these links.
   */
  partition(
    groupA: readonly NodeId[],
    groupB: readonly NodeId[],
    options: BlockOptions = {},
  ): Heal {
    const overlap = groupA.filter((id) => groupB.includes(id));
    if (overlap.length > 0) {
      throw new InvalidArgumentError(
        `partition groups must be disjoint; both contain ${overlap.join(", ")}.`,
      );
    }
    const links: [NodeId, NodeId][] = [];
    for (const a of groupA) {
      for (const b of groupB) links.push([a, b], [b, a]);
    }
    return this.#blockAll(links, options, `partition [${groupA.join(",")}] [${groupB.join(",")}]`);
  }

  /**
   * Cuts every link between `id` and the other nodes known now (nodes added later are not cut).
   * Returns a function that heals these links.
   */
  isolate(id: NodeId, options: BlockOptions = {}): Heal {
    assertNodeId(id);
    const others = [...this.#nodes].filter((other) => other !== id);
    const links: [NodeId, NodeId][] = others.flatMap((other): [NodeId, NodeId][] => [
      [id, other],
      [other, id],
    ]);
    return this.#blockAll(links, options, `isolate ${id}`);
  }

  /** Heals the whole network: removes every blocked link and every rule. Rates stay as set. */
  heal(): void {
    this.#blocks.clear();
    this.#rules.clear();
    this.#world.trace("fault heal all");
  }

  /** Whether the one-way link `from` → `to` is blocked, and how. */
  linkBlock(from: NodeId, to: NodeId): BlockMode | undefined {
    return this.#blocks.get(from, to);
  }

  /** Adds a targeted fault; see {@link NetworkRule}. Returns a function that removes it. */
  addRule(rule: NetworkRule<M>): Heal {
    const remove = this.#rules.add(rule);
    this.#world.trace(`fault rule ${rule.name ?? "(unnamed)"} ${rule.action.kind}`);
    return remove;
  }

  /** Lets the first `count` messages matching `filter` through, then drops the rest. */
  dropAfter(count: number, filter: Omit<NetworkRule<M>, "action" | "afterCount"> = {}): Heal {
    return this.addRule({ ...filter, afterCount: count, action: { kind: "drop" } });
  }

  /** Adds `extraMs` of latency to every message whose `type` is `type`. */
  delayType(type: string, extraMs: number): Heal {
    return this.addRule({ name: `delay ${type}`, type, action: { kind: "delay", extraMs } });
  }

  #blockAll(links: readonly [NodeId, NodeId][], options: BlockOptions, label: string): Heal {
    const mode = options.mode ?? "drop";
    if (mode !== "drop" && mode !== "refuse") {
      throw new InvalidArgumentError(`mode must be "drop" or "refuse", got ${String(mode)}.`);
    }
    for (const [from, to] of links) {
      assertNodeId(from, "from");
      assertNodeId(to, "to");
    }
    for (const [from, to] of links) this.#blocks.block(from, to, mode);
    this.#world.trace(`fault ${label} ${mode}`);
    return () => {
      for (const [from, to] of links) this.#blocks.unblock(from, to);
      this.#world.trace(`fault heal ${label}`);
    };
  }

  #send(sender: SimTransport<M>, to: NodeId, message: M): void {
    const from = sender.localId;
    if (!this.#nodes.has(to)) {
      throw new InvalidArgumentError(
        `cannot send to unknown node ${JSON.stringify(to)}; known nodes: ${[...this.#nodes].join(", ")}.`,
      );
    }
    const id = this.#nextMessageId++;
    if (!sender.incarnation.alive) return this.#drop(id, "sender-down");
    const type = messageType(message) ?? typeof message;
    const wire = this.#toWire(message);
    const block = this.#blocks.get(from, to);
    if (block === "refuse") {
      this.#refused++;
      this.#world.trace(`refuse #${id} ${from}->${to} ${type} link`);
      throw new UnreachableError(to, "the link is blocked");
    }
    const verdict = this.#rules.evaluate(from, to, message);
    if (verdict.stoppedBy?.mode === "refuse") {
      this.#refused++;
      this.#world.trace(`refuse #${id} ${from}->${to} ${type} ${verdict.stoppedBy.name}`);
      throw new UnreachableError(to, `refused by network rule "${verdict.stoppedBy.name}"`);
    }
    this.#sent++;
    this.#world.trace(`send #${id} ${from}->${to} ${type}`);
    if (block === "drop") return this.#drop(id, "link-blocked");
    if (verdict.stoppedBy !== undefined) return this.#drop(id, "rule");
    if (this.#random.chance(this.#lossRate)) return this.#drop(id, "loss");
    const destination = this.#transports.get(to);
    if (destination === undefined || !destination.incarnation.alive) {
      return this.#drop(id, "destination-down");
    }
    const copies = 1 + verdict.extraCopies + (this.#random.chance(this.#duplicateRate) ? 1 : 0);
    if (copies > 1) {
      this.#duplicated += copies - 1;
      this.#world.trace(`duplicate #${id} x${copies}`);
    }
    for (let copy = 0; copy < copies; copy++) {
      const copyWire = copy === 0 || this.#codec !== undefined ? wire : copyMessage(wire);
      this.#schedule({ id, from, to, type, wire: copyWire, destination }, verdict.extraDelayMs);
    }
  }

  #toWire(message: M): M | Uint8Array {
    if (this.#codec !== undefined) return this.#codec.encode(message);
    try {
      return copyMessage(message);
    } catch (error) {
      throw new InvalidArgumentError(
        `a message cannot be copied as by structuredClone (does it hold a function or a ` +
          `symbol?): ${String(error)}; send plain data.`,
        { cause: error },
      );
    }
  }

  #drawLatencyMs(from: NodeId, to: NodeId): number {
    const latency = this.#latency;
    if (typeof latency !== "function") {
      return latency.minMs + this.#random.float() * (latency.maxMs - latency.minMs);
    }
    const drawn = latency({ from, to, random: this.#random });
    if (!Number.isFinite(drawn) || drawn < 0) {
      throw new InvalidArgumentError(`the latency function returned ${drawn}; return ms >= 0.`);
    }
    return drawn;
  }

  #schedule(message: InFlight<M>, extraDelayMs: number): void {
    if (this.#inFlight >= this.#inFlightMax) return this.#drop(message.id, "overflow");
    let dueMs = this.#world.nowMs + this.#drawLatencyMs(message.from, message.to) + extraDelayMs;
    if (this.#fifo) {
      const link = `${message.from}\u0000${message.to}`;
      dueMs = Math.max(dueMs, this.#lastDueByLink.get(link) ?? 0);
      this.#lastDueByLink.set(link, dueMs);
    }
    this.#inFlight++;
    this.#world.schedule(dueMs, () => {
      this.#arrive(message);
    });
  }

  #arrive(message: InFlight<M>): void {
    this.#inFlight--;
    if (this.#blocks.get(message.from, message.to) !== undefined) {
      return this.#drop(message.id, "link-cut-in-flight");
    }
    const destination = message.destination;
    if (this.#transports.get(message.to) !== destination || !destination.incarnation.alive) {
      return this.#drop(message.id, "destination-down");
    }
    destination.incarnation.deliver(`a message handler of ${destination.incarnation.label}`, () => {
      this.#dispatch(message);
    });
  }

  #dispatch(message: InFlight<M>): void {
    const destination = message.destination;
    if (destination.closed) return this.#drop(message.id, "closed");
    const handlers = destination.handlers;
    if (handlers.length === 0) return this.#drop(message.id, "no-handler");
    const delivered =
      this.#codec === undefined
        ? (message.wire as M)
        : this.#codec.decode(message.wire as Uint8Array);
    this.#delivered++;
    this.#world.trace(`deliver #${message.id} ${message.from}->${message.to} ${message.type}`);
    for (const handler of handlers) {
      runGuarded(this.#world, `a message handler of ${destination.incarnation.label}`, () => {
        handler(message.from, delivered);
      });
    }
  }

  #drop(id: number, reason: DropReason): void {
    this.#dropped[reason]++;
    this.#world.trace(`drop #${id} ${reason}`);
  }
}
