// The answering node of the benchmarks: echoes every request. Imported, it runs in the caller's
// process; forked, it runs on its own, reports its address to the parent and, when asked, the CPU
// time it has used.
import { createCryptoRandom, createTimerScheduler, systemClock } from "@pods/runtime-node";
import { createSocketChannel, type SocketAddress } from "@pods/single-socket-channel";
import { processCpuUs } from "./rounds.ts";

/** What a forked server tells its parent. */
export type ServerReport = { readonly address: SocketAddress } | { readonly cpuUs: number };

export async function startServer(): Promise<{
  address: SocketAddress;
  stop: () => Promise<void>;
}> {
  const env = {
    clock: systemClock,
    scheduler: createTimerScheduler(),
    random: createCryptoRandom(),
  };
  const server = createSocketChannel<Uint8Array>({ nodeId: "byzantium", clusterId: "bench", env });
  server.onRequest((_from, request) => request);
  const address = await server.listen({ host: "127.0.0.1", port: 0 });
  return { address, stop: () => server.close() };
}

if (process.send !== undefined && process.argv[1]?.endsWith("server.ts")) {
  const report = (message: ServerReport): void => void process.send?.(message);
  const { address, stop } = await startServer();
  process.on("message", (question) => {
    if (question === "cpu") report({ cpuUs: processCpuUs() });
  });
  // The parent disconnects when it is done: close cleanly (a profiler writes its file on exit).
  process.once("disconnect", () => void stop().then(() => process.exit(0)));
  report({ address });
}
