import { InvalidArgumentError } from "@pods/core-interfaces";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CausalContext } from "./causal-context.ts";
import { formatDot } from "./dot.ts";
import { ObsoleteVersionError, TooManySiblingsError } from "./errors.ts";
import {
  mergeSiblings,
  putSibling,
  readContext,
  type Sibling,
  type SiblingMode,
  type SiblingRules,
} from "./siblings.ts";
import { VersionVector } from "./version-vector.ts";

const replicas = ["athens", "byzantium", "cyrene"] as const;

/** How a client picks the context of its next write. */
type ContextKind =
  /** Its session: everything it read plus its own previous writes (the usual client). */
  | "session"
  /** Only the context its own previous put returned: it never reads (stale, blind to others). */
  | "own"
  /** No context at all: concurrent with everything. */
  | "blind";

type Operation =
  | { kind: "read"; client: number; replica: number }
  | { kind: "write"; client: number; replica: number; context: ContextKind }
  | { kind: "sync"; from: number; to: number };

interface Client {
  session: CausalContext;
  own: CausalContext;
  /** The values this client has truly seen: what it read, transitively, and its own writes. */
  sessionKnows: Set<string>;
  ownKnows: Set<string>;
}

/**
 * A reference run: replicas as sibling lists, clients that read, write and carry contexts, and
 * the ground truth of causality — for every write, the set of writes its writer had really seen.
 */
class World {
  readonly states: Sibling<string>[][] = replicas.map(() => []);
  readonly knows = new Map<string, ReadonlySet<string>>();
  readonly clients: Client[];
  readonly refused: string[] = [];
  #written = 0;

  constructor(
    clientCount: number,
    readonly rules: SiblingRules,
  ) {
    this.clients = Array.from({ length: clientCount }, () => ({
      session: CausalContext.empty,
      own: CausalContext.empty,
      sessionKnows: new Set(),
      ownKnows: new Set(),
    }));
  }

  apply(operation: Operation): void {
    switch (operation.kind) {
      case "read": {
        const client = this.clients[operation.client % this.clients.length] as Client;
        const siblings = this.states[operation.replica] as Sibling<string>[];
        client.session = client.session.merge(readContext(siblings));
        for (const sibling of siblings) this.#learn(client.sessionKnows, sibling.value);
        return;
      }
      case "write":
        this.#write(operation.client % this.clients.length, operation.replica, operation.context);
        return;
      case "sync":
        this.states[operation.to] = [
          ...mergeSiblings(
            this.states[operation.to] as Sibling<string>[],
            this.states[operation.from] as Sibling<string>[],
            this.rules.mode,
          ),
        ];
        return;
    }
  }

  #learn(known: Set<string>, value: string): void {
    known.add(value);
    for (const earlier of this.knows.get(value) ?? []) known.add(earlier);
  }

  #write(clientIndex: number, replicaIndex: number, kind: ContextKind): void {
    const client = this.clients[clientIndex] as Client;
    const value = `w${this.#written++}`;
    const context =
      kind === "session" ? client.session : kind === "own" ? client.own : CausalContext.empty;
    const knows =
      kind === "session"
        ? client.sessionKnows
        : kind === "own"
          ? client.ownKnows
          : new Set<string>();
    const replica = replicas[replicaIndex] as string;
    let outcome;
    try {
      outcome = putSibling(
        this.states[replicaIndex] as Sibling<string>[],
        { value, context, replica, wallMs: this.#written },
        this.rules,
      );
    } catch (error) {
      if (!(error instanceof ObsoleteVersionError) || this.rules.mode !== "vector") throw error;
      this.refused.push(value);
      return;
    }
    this.states[replicaIndex] = [...outcome.siblings];
    this.knows.set(value, new Set(knows));
    const after = readContext([outcome.written]);
    client.own = after;
    client.session = client.session.merge(after);
    client.ownKnows = new Set([...knows, value]);
    client.sessionKnows = new Set([...client.sessionKnows, ...knows, value]);
  }

  /** Merges every replica into every other until all hold the same siblings. */
  syncAll(): void {
    for (let round = 0; round < 2; round++) {
      for (let from = 0; from < replicas.length; from++) {
        for (let to = 0; to < replicas.length; to++) this.apply({ kind: "sync", from, to });
      }
    }
  }

  /** The writes no other write has seen: what must survive, and all that may. */
  maximalWrites(): string[] {
    const seen = new Set<string>();
    for (const known of this.knows.values()) for (const value of known) seen.add(value);
    return [...this.knows.keys()].filter((value) => !seen.has(value)).sort();
  }
}

const operationArbitrary = (contexts: readonly ContextKind[]) =>
  fc.oneof(
    fc.record({
      kind: fc.constant("read" as const),
      client: fc.nat(),
      replica: fc.nat({ max: 2 }),
    }),
    fc.record({
      kind: fc.constant("write" as const),
      client: fc.nat(),
      replica: fc.nat({ max: 2 }),
      context: fc.constantFrom(...contexts),
    }),
    fc.record({
      kind: fc.constant("sync" as const),
      from: fc.nat({ max: 2 }),
      to: fc.nat({ max: 2 }),
    }),
  );

const rules = (mode: SiblingMode): SiblingRules => ({
  mode,
  siblingsMax: 1000,
  contextEntriesMax: 1000,
});

const values = (siblings: readonly Sibling<string>[]) => siblings.map((s) => s.value).sort();
const dots = (siblings: readonly Sibling<string>[]) => siblings.map((s) => formatDot(s.dot));

describe.each(["dotted", "vector"] as const)("sibling rules, %s mode", (mode) => {
  it("converge to exactly the writes no other write has seen: none lost, none resurrected", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.array(operationArbitrary(["session", "own", "blind"]), { maxLength: 60 }),
        (clientCount, operations) => {
          const world = new World(clientCount, rules(mode));
          for (const operation of operations) world.apply(operation);
          world.syncAll();
          const [first, ...others] = world.states as [Sibling<string>[], ...Sibling<string>[][]];
          for (const state of others) expect(dots(state)).toEqual(dots(first));
          expect(values(first)).toEqual(world.maximalWrites());
        },
      ),
    );
  });

  it("merge is commutative, associative and idempotent on the states replicas reach", () => {
    fc.assert(
      fc.property(
        fc.array(operationArbitrary(["session", "own", "blind"]), { maxLength: 60 }),
        (operations) => {
          const world = new World(3, rules(mode));
          for (const operation of operations) world.apply(operation);
          const [a, b, c] = world.states as [
            Sibling<string>[],
            Sibling<string>[],
            Sibling<string>[],
          ];
          const merge = (x: readonly Sibling<string>[], y: readonly Sibling<string>[]) =>
            mergeSiblings(x, y, mode);
          expect(dots(merge(a, b))).toEqual(dots(merge(b, a)));
          expect(dots(merge(merge(a, b), c))).toEqual(dots(merge(a, merge(b, c))));
          expect(merge(a, a)).toBe(a);
          expect(merge(merge(a, b), b)).toEqual(merge(a, b));
        },
      ),
    );
  });
});

describe("dotted mode", () => {
  it("never holds more siblings than there are clients, when clients write with their own last context", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.array(operationArbitrary(["session", "own"]), { maxLength: 120 }),
        (clientCount, operations) => {
          const world = new World(clientCount, rules("dotted"));
          for (const operation of operations) {
            world.apply(operation);
            for (const state of world.states) {
              expect(state.length).toBeLessThanOrEqual(clientCount);
              for (const sibling of state) {
                expect(sibling.context.exceptions.length).toBeLessThanOrEqual(clientCount);
              }
            }
          }
        },
      ),
    );
  });

  it("ten clients writing twenty times each with only their own last context leave ten siblings, not two hundred", () => {
    const world = new World(10, rules("dotted"));
    let most = 0;
    for (let round = 0; round < 20; round++) {
      for (let client = 0; client < 10; client++) {
        world.apply({ kind: "write", client, replica: (round + client) % 3, context: "own" });
        world.apply({ kind: "sync", from: client % 3, to: (client + 1) % 3 });
        most = Math.max(most, ...world.states.map((state) => state.length));
      }
    }
    world.syncAll();
    expect(most).toBeLessThanOrEqual(10);
    expect(world.states[0]?.length).toBe(10);
    // The same writes without any context are all concurrent: every one is kept.
    const blind = new World(10, rules("dotted"));
    for (let write = 0; write < 200; write++) {
      blind.apply({ kind: "write", client: write % 10, replica: write % 3, context: "blind" });
    }
    blind.syncAll();
    expect(blind.states[0]?.length).toBe(200);
  });

  it("keeps concurrent writes through the same replica as siblings, and a write removes exactly what it saw", () => {
    const dotted = rules("dotted");
    const first = putSibling(
      [],
      { value: "a", context: CausalContext.empty, replica: "athens", wallMs: 1 },
      dotted,
    );
    const second = putSibling(
      first.siblings,
      { value: "b", context: CausalContext.empty, replica: "athens", wallMs: 2 },
      dotted,
    );
    expect(dots(second.siblings)).toEqual(["athens:1", "athens:2"]);
    // b's writer saw nothing, so its context does not cover athens:1 although its vector would.
    const bContext = readContext([second.written]);
    expect(bContext.toString()).toBe("{athens: 2} except athens:1");
    expect(bContext.covers({ node: "athens", counter: 1 })).toBe(false);
    // Writing again with b's own context replaces b and keeps a.
    const third = putSibling(
      second.siblings,
      { value: "c", context: bContext, replica: "athens", wallMs: 3 },
      dotted,
    );
    expect(values(third.siblings)).toEqual(["a", "c"]);
    expect(values(third.discarded)).toEqual(["b"]);
    // A read of both, then a write with the read's context, leaves one version.
    const read = readContext(third.siblings);
    const fourth = putSibling(
      third.siblings,
      { value: "d", context: read, replica: "athens", wallMs: 4 },
      dotted,
    );
    expect(values(fourth.siblings)).toEqual(["d"]);
    expect(fourth.written.vector.toString()).toBe("{athens: 4}");
    expect(fourth.written.context.exceptions).toEqual([]);
  });

  it("refuses a put that would pass siblingsMax, changing nothing", () => {
    const limited = { ...rules("dotted"), siblingsMax: 2 };
    let siblings: readonly Sibling<string>[] = [];
    for (const value of ["a", "b"]) {
      siblings = putSibling(
        siblings,
        { value, context: CausalContext.empty, replica: "athens", wallMs: 1 },
        limited,
      ).siblings;
    }
    expect(() =>
      putSibling(
        siblings,
        { value: "c", context: CausalContext.empty, replica: "athens", wallMs: 1 },
        limited,
      ),
    ).toThrow(TooManySiblingsError);
    const resolved = putSibling(
      siblings,
      { value: "c", context: readContext(siblings), replica: "athens", wallMs: 1 },
      limited,
    );
    expect(values(resolved.siblings)).toEqual(["c"]);
  });

  it("prunes a new version's context oldest writer first, never the writing replica", () => {
    const wide = CausalContext.of(
      VersionVector.from({ athens: 1, byzantium: 5, cyrene: 2, delphi: 9 }),
    );
    const siblings = putSibling(
      [],
      { value: "x", context: CausalContext.empty, replica: "delphi", wallMs: 50 },
      rules("dotted"),
    ).siblings;
    const written = putSibling(
      siblings,
      { value: "y", context: wide, replica: "athens", wallMs: 100 },
      {
        ...rules("dotted"),
        contextEntriesMax: 2,
      },
    ).written;
    // delphi wrote most recently among the others (a live sibling at 50), athens is the writer.
    expect(written.context.vector.toString()).toBe("{athens: 1, delphi: 9}");
  });
});

describe("vector mode", () => {
  const vector = rules("vector");

  it("refuses a write through the same replica that has not seen the stored version", () => {
    const first = putSibling(
      [],
      { value: "a", context: CausalContext.empty, replica: "blue", wallMs: 1 },
      vector,
    );
    expect(() =>
      putSibling(
        first.siblings,
        { value: "b", context: CausalContext.empty, replica: "blue", wallMs: 2 },
        vector,
      ),
    ).toThrow(ObsoleteVersionError);
  });

  it("keeps a write through another replica as a sibling", () => {
    const first = putSibling(
      [],
      { value: "a", context: CausalContext.empty, replica: "blue", wallMs: 1 },
      vector,
    );
    const second = putSibling(
      first.siblings,
      { value: "b", context: CausalContext.empty, replica: "green", wallMs: 2 },
      vector,
    );
    expect(second.siblings.map((s) => s.vector.toString())).toEqual(["{blue: 1}", "{green: 1}"]);
  });

  it("takes plain vectors only", () => {
    const dotted = CausalContext.of(VersionVector.from({ blue: 2 }), [
      { node: "blue", counter: 1 },
    ]);
    expect(() =>
      putSibling([], { value: "a", context: dotted, replica: "blue", wallMs: 1 }, vector),
    ).toThrow(InvalidArgumentError);
  });
});
