import { describe, expect, it } from "vitest";
import { packageName } from "./index.ts";

describe("@pods/leader-and-followers", () => {
  it("is published under its scoped name", () => {
    expect(packageName).toBe("@pods/leader-and-followers");
  });
});
