import { describe, expect, it } from "vitest";
import { clusterLayout, decodeLayout, encodeLayout } from "./cluster-layout.ts";

describe("cluster layout", () => {
  it("round-trips through its command-line form", () => {
    const layout = clusterLayout(["athens", "byzantium"], [8001, 8002], [8101, 8102]);
    expect(encodeLayout(layout)).toBe("athens@8001@8101,byzantium@8002@8102");
    expect(decodeLayout(encodeLayout(layout))).toEqual(layout);
  });

  it("names the part that does not parse and the expected shape", () => {
    expect(() => decodeLayout("athens@8001@8101,byzantium@x")).toThrow(
      /byzantium@x.*expected id@httpPort@peerPort/,
    );
  });
});
