import { describe, expect, it } from "vitest";
import { packageName } from "./index.ts";

describe("@pods/low-water-mark", () => {
  it("is published under its scoped name", () => {
    expect(packageName).toBe("@pods/low-water-mark");
  });
});
