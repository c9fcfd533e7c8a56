import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { freeLoopbackPort } from "./free-port.ts";

describe("freeLoopbackPort", () => {
  it("gives a port a server can then listen on at 127.0.0.1", async () => {
    const port = await freeLoopbackPort();
    expect(port).toBeGreaterThan(0);
    expect(port).toBeLessThan(65_536);
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", resolve);
    });
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
});
