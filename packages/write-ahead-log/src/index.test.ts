import { describe, expect, it } from "vitest";
import { packageName } from "./index.ts";

describe("@pods/write-ahead-log", () => {
  it("is published under its scoped name", () => {
    expect(packageName).toBe("@pods/write-ahead-log");
  });
});
