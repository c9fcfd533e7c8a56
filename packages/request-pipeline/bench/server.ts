// The answering node of the benchmarks: echoes every request. Imported, it runs in the caller's
// process; forked, it runs on its own and reports its address to the parent.
import { createCryptoRandom, createTimerScheduler, systemClock } from "@pods/runtime-node";
import { createSocketChannel, type SocketAddress } from "@pods/single-socket-channel";

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
  const { address, stop } = await startServer();
  // The parent disconnects when it is done: close cleanly (a profiler writes its file on exit).
  process.once("disconnect", () => void stop().then(() => process.exit(0)));
  process.send(address);
}
