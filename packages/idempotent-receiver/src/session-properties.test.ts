import type { CommittedCommand } from "@pods/core-interfaces";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Counters, text, utf8 } from "../test/machines.ts";
import { sessionCommandCodec, type SessionCommand } from "./session-command.ts";
import { sessionResultCodec, type SessionResult } from "./session-result.ts";
import { SessionStateMachine } from "./session-state-machine.ts";

// Properties of the replica side: at-most-once execution under any delivery order, responses
// never lost for a client that keeps its window, and determinism across replicas and snapshots.

function replica(options: ConstructorParameters<typeof SessionStateMachine>[1] = {}) {
  const app = new Counters();
  return { app, machine: new SessionStateMachine(app, options) };
}

function applyTo(
  machine: SessionStateMachine,
  index: number,
  command: SessionCommand,
): SessionResult {
  const entry: CommittedCommand = {
    index,
    generation: 1,
    clusterTimeMs: 0,
    command: sessionCommandCodec.encode(command),
  };
  return sessionResultCodec.decode(machine.apply(entry));
}

describe("session properties", () => {
  it("executes each sequence at most once, whatever arrives in whatever order", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.array(fc.record({ sequence: fc.integer({ min: 1, max: 12 }), back: fc.nat(12) }), {
          maxLength: 80,
        }),
        (responsesPerClientMax, deliveries) => {
          const { app, machine } = replica({ responsesPerClientMax });
          let index = 0;
          applyTo(machine, ++index, { type: "register" });
          const firstResponse = new Map<number, string>();
          for (const { sequence, back } of deliveries) {
            const firstUnacknowledged = Math.max(1, sequence - back);
            const result = applyTo(machine, ++index, {
              type: "request",
              clientId: 1,
              sequence,
              firstUnacknowledged,
              command: utf8(`s${sequence}`),
            });
            if (result.type === "applied") {
              const response = text(result.response);
              expect(result.replayed).toBe(firstResponse.has(sequence));
              expect(firstResponse.get(sequence) ?? response).toBe(response);
              firstResponse.set(sequence, response);
            } else {
              expect(result.type).toBe("request-too-old");
            }
          }
          for (const [name, count] of app.counts) {
            expect(count, name).toBe(1);
          }
          expect(app.counts.size).toBe(firstResponse.size);
        },
      ),
    );
  });

  it("answers every request of a client within its window, despite duplicates and reordering", () => {
    type Action = { kind: "new" | "resend" | "deliver" | "duplicate"; pick: number };
    const action = fc.record({
      kind: fc.constantFrom<Action["kind"]>("new", "resend", "deliver", "deliver", "duplicate"),
      pick: fc.nat(),
    });
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.array(action, { maxLength: 150 }),
        (window, actions) => {
          const { app, machine } = replica({ responsesPerClientMax: window });
          let index = 0;
          applyTo(machine, ++index, { type: "register" });
          let next = 1;
          const outstanding = new Set<number>();
          const answers = new Map<number, string>();
          const network: SessionCommand[] = [];
          const firstUnacknowledged = (): number => Math.min(next, ...outstanding);
          const message = (sequence: number): SessionCommand => ({
            type: "request",
            clientId: 1,
            sequence,
            firstUnacknowledged: firstUnacknowledged(),
            command: utf8(`s${sequence}`),
          });
          const deliver = (command: SessionCommand): void => {
            const result = applyTo(machine, ++index, command);
            if (command.type !== "request" || !outstanding.has(command.sequence)) return;
            // A response the client still awaits is never refused: it is executed or replayed.
            expect(result.type).toBe("applied");
            if (result.type !== "applied") return;
            answers.set(command.sequence, text(result.response));
            outstanding.delete(command.sequence);
          };
          for (const { kind, pick } of actions) {
            if (kind === "new" && next < firstUnacknowledged() + window) {
              outstanding.add(next);
              network.push(message(next++));
            } else if (kind === "resend" && outstanding.size > 0) {
              network.push(message([...outstanding][pick % outstanding.size] ?? 0));
            } else if (kind === "deliver" && network.length > 0) {
              deliver(network.splice(pick % network.length, 1)[0] as SessionCommand);
            } else if (kind === "duplicate" && network.length > 0) {
              deliver(network[pick % network.length] as SessionCommand);
            }
          }
          for (const command of network) deliver(command); // stragglers, in send order
          for (const sequence of [...outstanding]) deliver(message(sequence)); // final retries
          expect(outstanding.size).toBe(0);
          expect([...answers.keys()].sort((a, b) => a - b)).toEqual(
            Array.from({ length: next - 1 }, (_, n) => n + 1),
          );
          for (const count of app.counts.values()) expect(count).toBe(1);
          for (const response of answers.values()) expect(response).toBe("1");
        },
      ),
    );
  });

  it("leaves replicas fed the same commands with identical snapshots, also after a restore", () => {
    const step = fc.oneof(
      fc.record({ kind: fc.constant("register" as const), advanceMs: fc.nat(400) }),
      fc.record({
        kind: fc.constant("keep-alive" as const),
        advanceMs: fc.nat(400),
        clientId: fc.integer({ min: 1, max: 30 }),
        firstUnacknowledged: fc.integer({ min: 1, max: 8 }),
      }),
      fc.record({
        kind: fc.constant("request" as const),
        advanceMs: fc.nat(400),
        clientId: fc.integer({ min: 1, max: 30 }),
        sequence: fc.integer({ min: 1, max: 10 }),
        back: fc.nat(10),
        counter: fc.constantFrom("a", "b"),
      }),
      fc.record({
        kind: fc.constant("garbage" as const),
        advanceMs: fc.nat(400),
        bytes: fc.uint8Array({ maxLength: 12 }),
      }),
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 60 }), fc.nat(), (steps, cut) => {
        const options = { sessionTimeoutMs: 1_000, responsesPerClientMax: 3, sessionsMax: 4 };
        const [first, second, late] = [replica(options), replica(options), replica(options)];
        const cutAt = steps.length === 0 ? 0 : cut % steps.length;
        let clusterTimeMs = 0;
        steps.forEach((s, position) => {
          clusterTimeMs += s.advanceMs;
          const command =
            s.kind === "garbage"
              ? s.bytes
              : sessionCommandCodec.encode(
                  s.kind === "request"
                    ? {
                        type: "request",
                        clientId: s.clientId,
                        sequence: s.sequence,
                        firstUnacknowledged: Math.max(1, s.sequence - s.back),
                        command: utf8(s.counter),
                      }
                    : s.kind === "keep-alive"
                      ? { ...s, type: "keep-alive" }
                      : { type: "register" },
                );
          // Indexes with gaps, as a log with no-op entries hands them over.
          const entry = { index: 2 * position + 1, generation: 1, clusterTimeMs, command };
          const results = [first, second].map((r) => r.machine.apply(entry));
          expect(results[0]).toEqual(results[1]);
          if (position === cutAt) late.machine.restore(first.machine.snapshot());
          if (position > cutAt) expect(late.machine.apply(entry)).toEqual(results[0]);
        });
        expect(second.machine.snapshot()).toEqual(first.machine.snapshot());
        if (steps.length > 0) expect(late.machine.snapshot()).toEqual(first.machine.snapshot());
      }),
    );
  });
});
