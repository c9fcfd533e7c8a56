import { describe, expect, it } from "vitest";
import { packageName } from "./index.ts";

describe("@pods/runtime-node", () => {
  it("is published under its scoped name", () => {
    expect(packageName).toBe("@pods/runtime-node");
  });
});
