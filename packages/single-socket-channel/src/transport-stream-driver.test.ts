import type { NodeId } from "@pods/core-interfaces";
import { Simulation } from "@pods/simulation";
import { describe, expect, it } from "vitest";
import type { StreamHandlers } from "./stream.ts";
import {
  createTransportStreamDriver,
  type StreamSegment,
  type TransportStreamDriver,
} from "./transport-stream-driver.ts";

// The simulated byte streams on their own: open, ordered data, graceful end, refusal, and resets
// on loss and after a restart.

interface Events {
  opened: boolean;
  data: number[];
  closed: Error | undefined | "open";
}

function recorder(): { events: Events; handlers: StreamHandlers } {
  const events: Events = { opened: false, data: [], closed: "open" };
  return {
    events,
    handlers: {
      onOpen: () => (events.opened = true),
      onData: (chunk) => events.data.push(...chunk),
      onDrain: () => undefined,
      onClose: (error) => (events.closed = error),
    },
  };
}

function world(seed: number, listen: boolean) {
  const sim = new Simulation<StreamSegment>({ seed, network: { fifo: true } });
  const accepted: Events[] = [];
  const boot = (id: NodeId) =>
    sim.addNode(id, {
      boot: async ({ env, transport }) => {
        const driver = createTransportStreamDriver({
          transport,
          scheduler: env.scheduler,
          random: env.random,
        });
        if (listen && id === "byzantium") {
          await driver.listen("byzantium", {
            accept: () => {
              const { events, handlers } = recorder();
              accepted.push(events);
              return handlers;
            },
            rejected: () => undefined,
            failed: () => undefined,
          });
        }
        return driver;
      },
    });
  return { sim, athens: boot("athens"), byzantium: boot("byzantium"), accepted };
}

describe("simulated byte streams", () => {
  it("open, carry bytes in order, and end gracefully at both ends", async () => {
    const { sim, athens, accepted } = world(1, true);
    const driver: TransportStreamDriver = await athens.ready();
    const { events, handlers } = recorder();
    const stream = driver.dial("byzantium", handlers);
    await sim.runUntil(() => events.opened);
    for (let n = 0; n < 50; n++) stream.write(Uint8Array.of(n));
    await sim.runUntil(() => accepted[0]?.data.length === 50);
    expect(accepted[0]?.data).toEqual(Array.from({ length: 50 }, (_, n) => n));
    expect(driver.openStreams()).toEqual([
      { id: expect.any(String) as string, peer: "byzantium", dialed: true },
    ]);
    stream.end();
    await sim.runFor(50);
    expect(events.closed).toBeUndefined();
    expect(accepted[0]?.closed).toBeUndefined();
    expect(driver.openStreams()).toEqual([]);
  });

  it("refuse a dial when nothing listens", async () => {
    const { sim, athens } = world(2, false);
    const driver = await athens.ready();
    const { events, handlers } = recorder();
    driver.dial("byzantium", handlers);
    await sim.runFor(50);
    expect(events.opened).toBe(false);
    expect(String(events.closed)).toMatch(/connection refused/);
  });

  it("reset both ends when a segment is lost", async () => {
    const { sim, athens, accepted } = world(3, true);
    const driver = await athens.ready();
    const { events, handlers } = recorder();
    const stream = driver.dial("byzantium", handlers);
    await sim.runUntil(() => events.opened);
    sim.network.addRule({
      type: "stream-data",
      afterCount: 2,
      match: () => true,
      action: { kind: "drop" },
    });
    for (let n = 0; n < 3; n++) stream.write(Uint8Array.of(n));
    sim.network.heal();
    stream.write(Uint8Array.of(3));
    await sim.runFor(50);
    expect(accepted[0]?.data).toEqual([0, 1]);
    expect(String(accepted[0]?.closed)).toMatch(/segment was lost/);
    expect(String(events.closed)).toMatch(/reset by the peer \(segment lost\)/);
  });

  it("reset a stream whose peer restarted", async () => {
    const { sim, athens, byzantium } = world(4, true);
    const driver = await athens.ready();
    const { events, handlers } = recorder();
    const stream = driver.dial("byzantium", handlers);
    await sim.runUntil(() => events.opened);
    byzantium.crash();
    await byzantium.restart();
    stream.write(Uint8Array.of(1));
    await sim.runFor(50);
    expect(String(events.closed)).toMatch(/unknown stream/);
  });
});
