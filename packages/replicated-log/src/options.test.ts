import { InvalidArgumentError } from "@pods/core-interfaces";
import { describe, expect, it } from "vitest";
import { replicationDefaults, resolveReplicationOptions } from "./options.ts";

describe("resolveReplicationOptions", () => {
  it("fills in the defaults of PATTERNS.md", () => {
    const options = resolveReplicationOptions({});
    expect(options).toMatchObject({
      electionTimeoutMs: 1000,
      heartbeatIntervalMs: 100,
      inflightMax: replicationDefaults.inflightMax,
      messageBytesMax: 1024 * 1024,
      leaseReads: false,
      leaseDriftMarginMs: 200,
    });
  });

  it("refuses bad values with the option's name", () => {
    expect(() => resolveReplicationOptions({ inflightMax: 0 })).toThrow(/inflightMax/);
    expect(() => resolveReplicationOptions({ messageBytesMax: 1.5 })).toThrow(InvalidArgumentError);
    expect(() => resolveReplicationOptions({ leaseReads: true, checkQuorum: false })).toThrow(
      /checkQuorum/,
    );
    expect(() =>
      resolveReplicationOptions({ electionTimeoutMs: 100, leaseDriftMarginMs: 100 }),
    ).toThrow(/below electionTimeoutMs/);
  });
});
