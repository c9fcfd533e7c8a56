import { describe, expect, it } from "vitest";
import { packageName } from "./index.ts";

describe("@pods/single-socket-channel", () => {
  it("is published under its scoped name", () => {
    expect(packageName).toBe("@pods/single-socket-channel");
  });
});
