import { InvalidArgumentError } from "@pods/core-interfaces";
import { SeededRandom } from "@pods/simulation";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { reconnectDelayMs, resolveOptions, type ChannelOptions } from "./options.ts";
import type { StreamDriver } from "./stream.ts";

const driver = {} as StreamDriver<string>;
const random = new SeededRandom(1);
const env = {
  clock: { monotonicMs: () => 0, wallMs: () => 0 },
  scheduler: { after: () => () => undefined },
  random,
};
const base: ChannelOptions<unknown, string> = { nodeId: "athens", clusterId: "demo", driver, env };

describe("channel options", () => {
  it("ties the timeouts to the heartbeat interval by default", () => {
    const options = resolveOptions(base);
    expect(options).toMatchObject({
      heartbeatIntervalMs: 100,
      connectTimeoutMs: 100,
      readIdleTimeoutMs: 1000,
      reconnectBackoffBaseMs: 100,
      reconnectBackoffMaxMs: 1000,
      frameBytesMax: 16 * 1024 * 1024,
      sendQueueBytesMax: 32 * 1024 * 1024,
      requestQueueMax: 1000,
    });
    expect(resolveOptions({ ...base, heartbeatIntervalMs: 250 })).toMatchObject({
      connectTimeoutMs: 250,
      readIdleTimeoutMs: 2500,
    });
  });

  it("refuses bad values with InvalidArgumentError", () => {
    const bad: Partial<ChannelOptions<unknown, string>>[] = [
      { nodeId: "" },
      { nodeId: "-athens" },
      { clusterId: "a b" },
      { heartbeatIntervalMs: 0 },
      { heartbeatIntervalMs: Number.NaN },
      { connectTimeoutMs: -1 },
      { readIdleTimeoutMs: 100 }, // not more than the heartbeat interval
      { reconnectBackoffBaseMs: 500, reconnectBackoffMaxMs: 100 },
      { frameBytesMax: 4 },
      { frameBytesMax: 2 ** 31 },
      { frameBytesMax: 1.5 },
      { frameBytesMax: 1024, sendQueueBytesMax: 1024 },
      { requestQueueMax: 0 },
    ];
    for (const options of bad) {
      expect(() => resolveOptions({ ...base, ...options }), JSON.stringify(options)).toThrow(
        InvalidArgumentError,
      );
    }
  });

  it("backs off exponentially with jitter, within [cap/2, cap]", () => {
    const options = resolveOptions({
      ...base,
      reconnectBackoffBaseMs: 50,
      reconnectBackoffMaxMs: 3000,
    });
    expect(reconnectDelayMs(0, options)).toBe(0);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 200 }), (failures) => {
        const cap = Math.min(3000, 50 * 2 ** (failures - 1));
        const delayMs = reconnectDelayMs(failures, options);
        expect(delayMs).toBeGreaterThanOrEqual(cap / 2);
        expect(delayMs).toBeLessThanOrEqual(cap);
      }),
    );
  });
});
