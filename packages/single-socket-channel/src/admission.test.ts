import { describe, expect, it } from "vitest";
import { admitInbound, type LinkState } from "./admission.ts";

const states: LinkState[] = ["idle", "backoff", "dialing", "awaiting-peer", "connected"];

describe("admitting a peer's connection", () => {
  it("refuses the larger node's connection while the smaller node dials: the smaller id's wins", () => {
    expect(
      admitInbound("athens", "byzantium", "dialing", undefined, { instance: 1, dialSeq: 1 }),
    ).toBe("duplicate");
    expect(
      admitInbound("byzantium", "athens", "dialing", undefined, { instance: 1, dialSeq: 1 }),
    ).toBe("accept");
  });

  it("accepts a new dial in every other state, replacing a connection the peer gave up", () => {
    for (const state of states.filter((state) => state !== "dialing")) {
      expect(
        admitInbound(
          "athens",
          "byzantium",
          state,
          { instance: 7, dialSeq: 3 },
          { instance: 7, dialSeq: 4 },
        ),
      ).toBe("accept");
    }
  });

  it("refuses a dial the peer had already settled, unless the peer restarted", () => {
    for (const state of states) {
      const floor = { instance: 7, dialSeq: 3 };
      expect(admitInbound("byzantium", "athens", state, floor, { instance: 7, dialSeq: 3 })).toBe(
        "stale",
      );
      expect(admitInbound("byzantium", "athens", state, floor, { instance: 7, dialSeq: 2 })).toBe(
        "stale",
      );
      expect(admitInbound("byzantium", "athens", state, floor, { instance: 8, dialSeq: 1 })).toBe(
        "accept",
      );
    }
  });
});
