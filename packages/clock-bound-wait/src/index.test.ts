import { describe, expect, it } from "vitest";
import { packageName } from "./index.ts";

describe("@pods/clock-bound-wait", () => {
  it("is published under its scoped name", () => {
    expect(packageName).toBe("@pods/clock-bound-wait");
  });
});
