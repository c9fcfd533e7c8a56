import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { freeLoopbackPort, freeLoopbackPorts } from "./free-port.ts";

function listen(port: number): Promise<() => Promise<void>> {
  const server = createServer();
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () =>
      resolve(() => new Promise<void>((done) => server.close(() => done()))),
    );
  });
}

describe("freeLoopbackPorts", () => {
  it("gives distinct ports below the ephemeral range that servers can then all listen on", async () => {
    const ports = await freeLoopbackPorts(8);
    expect(new Set(ports).size).toBe(8);
    for (const port of ports) {
      expect(port).toBeGreaterThanOrEqual(10_000);
      expect(port).toBeLessThan(65_536);
    }
    const closers = await Promise.all(ports.map(listen));
    await Promise.all(closers.map((closeServer) => closeServer()));
  });

  it("gives one port too", async () => {
    const closeServer = await listen(await freeLoopbackPort());
    await closeServer();
  });
});
