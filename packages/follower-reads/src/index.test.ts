import { describe, expect, it } from "vitest";
import { packageName } from "./index.ts";

describe("@pods/follower-reads", () => {
  it("is published under its scoped name", () => {
    expect(packageName).toBe("@pods/follower-reads");
  });
});
