import { describe, expect, it } from "vitest";
import { packageName } from "./index.ts";

describe("@pods/generation-clock", () => {
  it("is published under its scoped name", () => {
    expect(packageName).toBe("@pods/generation-clock");
  });
});
