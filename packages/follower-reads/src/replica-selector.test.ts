import { InvalidArgumentError, type Clock } from "@pods/core-interfaces";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ReplicaSelector, type ReplicaDescriptor } from "./replica-selector.ts";

let nowMs = 0;
const clock: Clock = { monotonicMs: () => nowMs, wallMs: () => nowMs };
const replica = (nodeId: string, region: string): ReplicaDescriptor => ({
  nodeId,
  address: `${nodeId}:7000`,
  region,
});

describe("ReplicaSelector", () => {
  it("smooths latency: the first sample as is, then 0.8 · old + 0.2 · sample", () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 1e4, noNaN: true }), { minLength: 1, maxLength: 30 }),
        (samples) => {
          const selector = new ReplicaSelector({
            clock,
            localRegion: "us-east",
            replicas: [replica("athens", "us-east")],
          });
          let expected: number | undefined;
          for (const sample of samples) {
            selector.recordLatency("athens", sample);
            expected = expected === undefined ? sample : 0.8 * expected + 0.2 * sample;
          }
          expect(selector.status("athens").smoothedLatencyMs).toBeCloseTo(expected ?? 0, 6);
        },
      ),
    );
  });

  it("ranks same-region replicas first, then by smoothed latency, unmeasured last, ties by node id", () => {
    const regions = ["us-east", "us-west", "eu-central"];
    const names = ["athens", "byzantium", "cyrene", "delphi", "ephesus", "sparta"];
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            region: fc.constantFrom(...regions),
            latencyMs: fc.option(fc.integer({ min: 0, max: 5 })),
          }),
          {
            minLength: 1,
            maxLength: 6,
          },
        ),
        fc.constantFrom(...regions),
        (specs, localRegion) => {
          const selector = new ReplicaSelector({
            clock,
            localRegion,
            replicas: specs.map((spec, index) => replica(names[index] ?? "", spec.region)),
          });
          specs.forEach((spec, index) => {
            if (spec.latencyMs !== null) selector.recordLatency(names[index] ?? "", spec.latencyMs);
          });
          const key = (r: ReplicaDescriptor) => {
            const index = names.indexOf(r.nodeId);
            return [r.region === localRegion ? 0 : 1, specs[index]?.latencyMs ?? Infinity, index];
          };
          const ranked = selector.rank().map(key);
          const sorted = [...ranked].sort((a, b) => {
            for (let i = 0; i < 3; i++)
              if (a[i] !== b[i]) return (a[i] as number) - (b[i] as number);
            return 0;
          });
          expect(ranked).toEqual(sorted);
          expect(ranked).toHaveLength(specs.length);
        },
      ),
    );
  });

  it("skips a replica marked down for downForMs, or until marked up", () => {
    nowMs = 0;
    const selector = new ReplicaSelector({
      clock,
      localRegion: "us-east",
      replicas: [replica("athens", "us-east"), replica("byzantium", "us-west")],
      downForMs: 1000,
    });
    selector.markDown("athens");
    expect(selector.choose()?.nodeId).toBe("byzantium");
    expect(selector.status("athens").down).toBe(true);
    nowMs = 999;
    expect(selector.rank().map((r) => r.nodeId)).toEqual(["byzantium"]);
    nowMs = 1000;
    expect(selector.choose()?.nodeId).toBe("athens");
    selector.markDown("athens");
    selector.markDown("byzantium");
    expect(selector.choose()).toBeUndefined();
    selector.markUp("byzantium");
    expect(selector.choose()?.nodeId).toBe("byzantium");
    nowMs = 0;
  });

  it("validates replicas, samples and names", () => {
    const ok = { clock, localRegion: "us-east", replicas: [replica("athens", "us-east")] };
    for (const bad of [
      { replicas: [] },
      { replicas: [replica("athens", "us-east"), replica("athens", "us-west")] },
      { replicas: [replica("not valid", "us-east")] },
      { replicas: [{ nodeId: "athens", address: "", region: "us-east" }] },
      { replicas: [replica("athens", "")] },
      { localRegion: "" },
      { downForMs: -1 },
      { replicasMax: 0 },
      { replicas: [replica("athens", "a"), replica("byzantium", "a")], replicasMax: 1 },
      { clock: undefined as unknown as Clock },
    ]) {
      expect(() => new ReplicaSelector({ ...ok, ...bad })).toThrow(InvalidArgumentError);
    }
    const selector = new ReplicaSelector(ok);
    expect(() => selector.recordLatency("athens", -1)).toThrow(/latency sample/);
    expect(() => selector.recordLatency("athens", Number.POSITIVE_INFINITY)).toThrow(
      InvalidArgumentError,
    );
    expect(() => selector.markDown("sparta")).toThrow(
      /not one of the selector's replicas \(athens\)/,
    );
    expect(selector.replicas).toEqual([replica("athens", "us-east")]);
    expect(selector.localRegion).toBe("us-east");
  });
});
