import { describe, expect, it } from "vitest";
import { packageName } from "./index.ts";

describe("@pods/idempotent-receiver", () => {
  it("is published under its scoped name", () => {
    expect(packageName).toBe("@pods/idempotent-receiver");
  });
});
