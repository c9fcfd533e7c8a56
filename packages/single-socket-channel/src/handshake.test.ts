import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { HandshakeError, type RefusalReason } from "./errors.ts";
import {
  checkWelcome,
  decodeHandshake,
  encodeHandshake,
  handshakeBytesMax,
  protocolVersion,
  type Handshake,
} from "./handshake.ts";

const nodeIds = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/);
const reasons: RefusalReason[] = [
  "malformed",
  "version",
  "wrong-cluster",
  "self",
  "identity",
  "duplicate",
  "stale",
  "closing",
];
const identities = fc.record({
  nodeId: nodeIds,
  clusterId: nodeIds,
  instance: fc.integer({ min: 0, max: 0xffffffff }),
  dialSeq: fc.integer({ min: 0, max: 0xffffffff }),
});
const handshakes: fc.Arbitrary<Handshake> = fc.oneof(
  identities.map((identity) => ({ kind: "hello" as const, ...identity })),
  identities.map((identity) => ({ kind: "welcome" as const, ...identity })),
  fc
    .tuple(identities, fc.constantFrom(...reasons), fc.string({ maxLength: 300 }))
    .map(([identity, reason, detail]) => ({
      kind: "refuse" as const,
      reason,
      detail,
      ...identity,
    })),
);

function malformed(bytes: Uint8Array): void {
  expect(() => decodeHandshake(bytes)).toThrow(HandshakeError);
}

describe("handshake frames", () => {
  it("round-trip every hello, welcome and refusal, within handshakeBytesMax", () => {
    fc.assert(
      fc.property(handshakes, (handshake) => {
        const bytes = encodeHandshake(handshake);
        expect(bytes.length).toBeLessThanOrEqual(handshakeBytesMax);
        expect(decodeHandshake(bytes)).toEqual(handshake);
      }),
    );
  });

  it("cuts a long refusal detail at a character boundary", () => {
    const detail = "é".repeat(400); // 800 bytes of UTF-8
    const decoded = decodeHandshake(
      encodeHandshake({
        kind: "refuse",
        reason: "self",
        detail,
        nodeId: "a",
        clusterId: "c",
        instance: 1,
        dialSeq: 2,
      }),
    );
    expect(decoded.kind === "refuse" && decoded.detail).toBe("é".repeat(256));
  });

  it("lays out the header as documented", () => {
    const bytes = encodeHandshake({
      kind: "hello",
      nodeId: "athens",
      clusterId: "demo",
      instance: 258,
      dialSeq: 3,
    });
    expect([...bytes.subarray(0, 14)]).toEqual([
      0x50,
      0x4f,
      0x44,
      0x53,
      protocolVersion,
      1,
      0,
      0,
      1,
      2,
      0,
      0,
      0,
      3,
    ]);
    expect(bytes[14]).toBe(6);
    expect(new TextDecoder().decode(bytes.subarray(15, 21))).toBe("athens");
  });

  it("refuses anything else with a typed error: random bytes, truncations, bad ids, trailing bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        try {
          decodeHandshake(bytes);
        } catch (error) {
          expect(error).toBeInstanceOf(HandshakeError);
        }
      }),
    );
    const good = encodeHandshake({
      kind: "welcome",
      nodeId: "athens",
      clusterId: "demo",
      instance: 1,
      dialSeq: 1,
    });
    for (let end = 0; end < good.length; end++) malformed(good.subarray(0, end));
    malformed(Uint8Array.from([...good, 0]));
    const badId = Uint8Array.from(good);
    badId[15] = "-".charCodeAt(0); // an id must start with a letter or digit
    malformed(badId);
    const badKind = Uint8Array.from(good);
    badKind[5] = 9;
    malformed(badKind);
  });

  it("names another protocol version", () => {
    const bytes = encodeHandshake({
      kind: "hello",
      nodeId: "athens",
      clusterId: "demo",
      instance: 1,
      dialSeq: 1,
    });
    bytes[4] = protocolVersion + 1;
    expect(() => decodeHandshake(bytes)).toThrow(
      expect.objectContaining({ reason: "version" }) as Error,
    );
  });

  it("accepts only a welcome from the dialed node of this cluster, with a matching certificate", () => {
    const welcome = {
      kind: "welcome",
      nodeId: "byzantium",
      clusterId: "demo",
      instance: 1,
      dialSeq: 1,
    } as const;
    const expected = { peer: "byzantium", clusterId: "demo" };
    expect(checkWelcome(welcome, expected, undefined)).toBeUndefined();
    expect(checkWelcome(welcome, expected, "byzantium")).toBeUndefined();
    expect(checkWelcome(welcome, expected, "athens")?.reason).toBe("identity");
    expect(checkWelcome(welcome, expected, "")?.reason).toBe("identity");
    expect(checkWelcome({ ...welcome, nodeId: "cyrene" }, expected, undefined)?.reason).toBe(
      "identity",
    );
    expect(checkWelcome({ ...welcome, clusterId: "other" }, expected, undefined)?.reason).toBe(
      "wrong-cluster",
    );
    expect(checkWelcome({ ...welcome, kind: "hello" }, expected, undefined)?.reason).toBe(
      "malformed",
    );
  });
});
