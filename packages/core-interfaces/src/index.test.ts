import { describe, expect, it } from "vitest";
import { packageName } from "./index.ts";

describe("@pods/core-interfaces", () => {
  it("is published under its scoped name", () => {
    expect(packageName).toBe("@pods/core-interfaces");
  });
});
