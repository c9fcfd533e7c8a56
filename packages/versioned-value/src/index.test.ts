import { describe, expect, it } from "vitest";
import { packageName } from "./index.ts";

describe("@pods/versioned-value", () => {
  it("is published under its scoped name", () => {
    expect(packageName).toBe("@pods/versioned-value");
  });
});
