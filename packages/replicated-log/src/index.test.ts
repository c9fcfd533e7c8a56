import { describe, expect, it } from "vitest";
import { packageName } from "./index.ts";

describe("@pods/replicated-log", () => {
  it("is published under its scoped name", () => {
    expect(packageName).toBe("@pods/replicated-log");
  });
});
