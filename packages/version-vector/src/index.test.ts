import { describe, expect, it } from "vitest";
import { packageName } from "./index.ts";

describe("@pods/version-vector", () => {
  it("is published under its scoped name", () => {
    expect(packageName).toBe("@pods/version-vector");
  });
});
