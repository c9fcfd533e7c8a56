import { readFile } from "node:fs/promises";
import { createServer, type Server } from "node:net";

// Ports are drawn at random below the kernel's ephemeral range (Linux: 32768 by default, read from
// /proc when it can be), where neither `listen(0)` nor the source ports of outgoing connections
// land: a port chosen there is taken again only by another process choosing the same way. Each
// draw is checked by listening on it; all the ports asked for are held at once, so they are
// distinct, and released together.

const lowestPort = 10_000;
const attemptsPerPort = 64;
const defaultEphemeralStart = 32_768;

async function ephemeralStart(): Promise<number> {
  try {
    const range = await readFile("/proc/sys/net/ipv4/ip_local_port_range", "utf8");
    const start = Number(range.trim().split(/\s+/)[0]);
    return Number.isInteger(start) && start > lowestPort + 1000 ? start : defaultEphemeralStart;
  } catch {
    return defaultEphemeralStart;
  }
}

function listenOn(port: number): Promise<Server | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(undefined));
    server.listen(port, "127.0.0.1", () => resolve(server));
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/**
 * `count` distinct TCP ports that were free on 127.0.0.1 a moment ago, for tests, benchmarks and
 * local clusters that start servers. They are drawn below the kernel's ephemeral port range, so
 * outgoing connections and `listen(0)` do not take them meanwhile; another process may still
 * bind one before you do, so bind soon.
 */
export async function freeLoopbackPorts(count: number): Promise<number[]> {
  const highest = (await ephemeralStart()) - 1;
  const held: Server[] = [];
  try {
    while (held.length < count) {
      let server: Server | undefined;
      for (let attempt = 0; server === undefined && attempt < attemptsPerPort; attempt++) {
        server = await listenOn(lowestPort + Math.floor(Math.random() * (highest - lowestPort)));
      }
      // Everything drawn was busy: let the kernel choose (from the ephemeral range).
      server ??= await listenOn(0);
      if (server === undefined) throw new Error("no TCP port is free on 127.0.0.1");
      held.push(server);
    }
    return held.map((server) => {
      const address = server.address();
      return typeof address === "object" && address !== null ? address.port : 0;
    });
  } finally {
    await Promise.all(held.map(close));
  }
}

/** One port as {@link freeLoopbackPorts} gives them. */
export async function freeLoopbackPort(): Promise<number> {
  const [port] = await freeLoopbackPorts(1);
  return port!;
}
