// Starts a 3-member etcd cluster on loopback for the side-by-side benchmark: installs Debian's
// etcd-server package when `etcd` is missing (needs root and apt), runs the members as child
// processes with data in a temporary directory, and stops them and removes the data afterwards.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { freeLoopbackPorts } from "@pods/runtime-node";

/** A running etcd cluster. */
export interface EtcdCluster {
  /** Each member's client URL (`http://127.0.0.1:<port>`), in member order. */
  readonly clientUrls: readonly string[];
  /** The client URL of the current leader. */
  leaderUrl(): Promise<string>;
  /** Stops every member and removes the data. */
  stop(): Promise<void>;
}

function etcdInstalled(): boolean {
  try {
    execFileSync("etcd", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** Installs etcd-server from Debian's archive unless `etcd` is already on the PATH. */
export function ensureEtcd(): void {
  if (etcdInstalled()) return;
  console.log("installing Debian's etcd-server package (apt-get) for the benchmark...");
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  execFileSync("apt-get", ["update", "-qq"], { stdio: "inherit", env });
  execFileSync("apt-get", ["install", "-y", "-qq", "etcd-server"], { stdio: "inherit", env });
  if (!etcdInstalled()) throw new Error("etcd-server was installed but `etcd` is not on the PATH");
}

async function post(url: string, body: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(url, { method: "POST", body: JSON.stringify(body) });
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
  return (await response.json()) as Record<string, unknown>;
}

async function leaderUrl(clientUrls: readonly string[]): Promise<string> {
  for (let attempt = 0; attempt < 100; attempt++) {
    for (const url of clientUrls) {
      try {
        const status = await post(`${url}/v3/maintenance/status`, {});
        const header = status.header as { member_id?: string } | undefined;
        if (status.leader !== undefined && status.leader === header?.member_id) return url;
      } catch {
        // Not up yet: try the next member, then again.
      }
    }
    await sleep(100);
  }
  throw new Error("the etcd cluster elected no leader within 10 s");
}

/** Starts a 3-member etcd cluster on loopback and waits until it has a leader. */
export async function startEtcdCluster(): Promise<EtcdCluster> {
  ensureEtcd();
  const dataDir = await mkdtemp(join(tmpdir(), "pods-bench-etcd-"));
  const names = ["etcd-1", "etcd-2", "etcd-3"];
  const ports = await freeLoopbackPorts(6);
  const clientPorts = ports.slice(0, 3);
  const peerPorts = ports.slice(3);
  const peerUrl = (i: number): string => `http://127.0.0.1:${peerPorts[i]!}`;
  const clientUrls = clientPorts.map((port) => `http://127.0.0.1:${port}`);
  const initialCluster = names.map((name, i) => `${name}=${peerUrl(i)}`).join(",");
  const members: ChildProcess[] = names.map((name, i) =>
    spawn(
      "etcd",
      [
        `--name=${name}`,
        `--data-dir=${join(dataDir, name)}`,
        `--listen-client-urls=${clientUrls[i]!}`,
        `--advertise-client-urls=${clientUrls[i]!}`,
        `--listen-peer-urls=${peerUrl(i)}`,
        `--initial-advertise-peer-urls=${peerUrl(i)}`,
        `--initial-cluster=${initialCluster}`,
        "--initial-cluster-state=new",
        "--initial-cluster-token=pods-bench",
        "--log-level=error",
      ],
      { stdio: "ignore" },
    ),
  );
  await leaderUrl(clientUrls);
  return {
    clientUrls,
    leaderUrl: () => leaderUrl(clientUrls),
    async stop() {
      await Promise.all(
        members.map(
          (member) =>
            new Promise<void>((resolve) => {
              if (member.exitCode !== null) return resolve();
              member.once("exit", () => resolve());
              member.kill("SIGTERM");
            }),
        ),
      );
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
