import { describe, expect, it } from "vitest";
import { packageName } from "./index.ts";

describe("@pods/request-pipeline", () => {
  it("is published under its scoped name", () => {
    expect(packageName).toBe("@pods/request-pipeline");
  });
});
