import { createServer } from "node:net";

/**
 * A TCP port that was free on 127.0.0.1 a moment ago: the kernel picks one for a throwaway
 * listener, which is closed before this resolves. For tests, benchmarks and local clusters that
 * start servers. Another process may take the port before you bind it; bind soon, and retry on
 * `EADDRINUSE` where that matters.
 */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
