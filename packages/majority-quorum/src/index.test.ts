import { describe, expect, it } from "vitest";
import { packageName } from "./index.ts";

describe("@pods/majority-quorum", () => {
  it("is published under its scoped name", () => {
    expect(packageName).toBe("@pods/majority-quorum");
  });
});
