import { describe, expect, it } from "vitest";
import { packageName } from "./index.ts";

describe("@pods/high-water-mark", () => {
  it("is published under its scoped name", () => {
    expect(packageName).toBe("@pods/high-water-mark");
  });
});
