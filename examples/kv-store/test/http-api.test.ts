// The HTTP API and the client library against a real single-node store (one voter: it leads at
// once), on loopback with its data in a temp directory.
import { mkdtemp, rm } from "node:fs/promises";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KvClient, KvRequestError } from "../src/client.ts";
import { headers } from "../src/http-api.ts";
import { startKvNode, type KvNode } from "../src/kv-node.ts";
import { freeLoopbackPort, freeLoopbackPorts } from "@pods/runtime-node";

let node: KvNode;
let base: string;
let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "pods-kv-http-"));
  const [httpPort, peerPort] = (await freeLoopbackPorts(2)) as [number, number];
  const layout = [{ id: "athens", httpPort, peerPort }];
  node = await startKvNode({ id: "athens", cluster: layout, dataDir, followerWaitTimeoutMs: 200 });
  base = `http://127.0.0.1:${httpPort}`;
  for (let waited = 0; node.replica.status().role !== "leader" && waited < 10_000; waited += 20) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}, 30_000);

afterAll(async () => {
  await node?.close();
  await rm(dataDir, { recursive: true, force: true });
});

async function problem(response: Response): Promise<{ error: string; message: string }> {
  return (await response.json()) as { error: string; message: string };
}

describe("the HTTP API", () => {
  it("stores, returns and deletes a value, with its version", async () => {
    const put = await fetch(`${base}/kv/title`, { method: "PUT", body: "Microservices" });
    expect(put.status).toBe(200);
    const ack = (await put.json()) as { version: number; existed: boolean };
    expect(ack.existed).toBe(false);
    expect(put.headers.get(headers.version)).toBe(String(ack.version));

    const get = await fetch(`${base}/kv/title`);
    expect(get.status).toBe(200);
    expect(await get.text()).toBe("Microservices");
    expect(get.headers.get(headers.version)).toBe(String(ack.version));

    const removed = await fetch(`${base}/kv/title`, { method: "DELETE" });
    expect(((await removed.json()) as { existed: boolean }).existed).toBe(true);
    const gone = await fetch(`${base}/kv/title`);
    expect(gone.status).toBe(404);
    expect((await problem(gone)).error).toBe("NOT_FOUND");
  });

  it("answers HEAD as GET, without the body", async () => {
    await fetch(`${base}/kv/head`, { method: "PUT", body: "12345" });
    const head = await fetch(`${base}/kv/head`, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(head.headers.get("content-length")).toBe("5");
    expect(await head.text()).toBe("");
    expect((await fetch(`${base}/status`, { method: "HEAD" })).status).toBe(200);
  });

  it("reports the node's status as JSON", async () => {
    const status = (await (await fetch(`${base}/status`)).json()) as Record<string, unknown>;
    expect(status).toMatchObject({
      node: "athens",
      role: "leader",
      leader: "athens",
      leaderHttp: base,
    });
    expect(status.commitIndex).toBeGreaterThan(0);
    expect(status.appliedIndex).toBe(status.commitIndex);
  });

  it("answers bad requests with a 4xx naming what to fix, and keeps serving", async () => {
    const longKey = await fetch(`${base}/kv/${"k".repeat(2000)}`, { method: "PUT", body: "x" });
    expect(longKey.status).toBe(400);
    expect((await problem(longKey)).message).toMatch(/at most 1024/);
    const badEncoding = await fetch(`${base}/kv/%E0%A4%A`);
    expect(badEncoding.status).toBe(400);
    const tooLarge = await fetch(`${base}/kv/big`, {
      method: "PUT",
      body: new Uint8Array(1024 * 1024 + 1),
    });
    expect(tooLarge.status).toBe(413);
    expect((await fetch(`${base}/nowhere`)).status).toBe(404);
    expect((await fetch(`${base}/kv/x`, { method: "POST" })).status).toBe(405);
    expect((await fetch(`${base}/kv/x?consistency=eventually`)).status).toBe(400);
    const halfSession = await fetch(`${base}/kv/x`, {
      method: "PUT",
      body: "1",
      headers: { [headers.clientId]: "7" },
    });
    expect(halfSession.status).toBe(400);
    expect((await problem(halfSession)).message).toMatch(/pods-sequence/);
    expect((await fetch(`${base}/status`)).status).toBe(200);
  });

  it("takes any key percent-encoded, and reads it at every consistency", async () => {
    const key = "a/../b?c=d é";
    const url = `${base}/kv/${encodeURIComponent(key)}`;
    expect((await fetch(url, { method: "PUT", body: "odd" })).status).toBe(200);
    for (const consistency of ["linearizable", "lease", "local"]) {
      const read = await fetch(`${url}?consistency=${consistency}`);
      expect(read.status).toBe(200);
      expect(await read.text()).toBe("odd");
    }
    expect((await fetch(`${base}/kv/b`)).status).toBe(404);
    const absolute = await new Promise<number>((resolve, reject) => {
      const target = `${base}/kv/${encodeURIComponent(key)}?consistency=lease`;
      const port = Number(new URL(base).port);
      request({ host: "127.0.0.1", port, path: target }, (answer) => {
        answer.resume();
        resolve(answer.statusCode ?? 0);
      })
        .on("error", reject)
        .end();
    });
    expect(absolute).toBe(200);
  });

  it("applies a retried session write once: the retry gets the saved answer", async () => {
    const { clientId } = (await (await fetch(`${base}/sessions`, { method: "POST" })).json()) as {
      clientId: number;
    };
    const write = async (sequence: number, value: string) =>
      (await (
        await fetch(`${base}/kv/counter`, {
          method: "PUT",
          body: value,
          headers: {
            [headers.clientId]: String(clientId),
            [headers.sequence]: String(sequence),
            [headers.firstUnacknowledged]: "1",
          },
        })
      ).json()) as { version: number };
    const first = await write(1, "one");
    const second = await write(2, "two");
    const retry = await write(1, "one");
    expect(retry.version).toBe(first.version);
    expect(second.version).toBeGreaterThan(first.version);
    expect(await (await fetch(`${base}/kv/counter`)).text()).toBe("two");
  });

  it("serves a read at a version it has applied, and refuses one it lacks after the wait", async () => {
    const put = (await (await fetch(`${base}/kv/ryw`, { method: "PUT", body: "mine" })).json()) as {
      version: number;
    };
    const mine = await fetch(`${base}/kv/ryw`, {
      headers: { [headers.minVersion]: String(put.version) },
    });
    expect(await mine.text()).toBe("mine");
    const future = await fetch(`${base}/kv/ryw`, {
      headers: { [headers.minVersion]: String(put.version + 1000) },
    });
    expect(future.status).toBe(503);
    expect((await problem(future)).error).toBe("REPLICA_LAGGING");
  });
});

describe("KvClient", () => {
  it("puts, gets and deletes through sessions, and reports status", async () => {
    const client = new KvClient({ endpoints: [base] });
    const ack = await client.put("greeting", "hello");
    expect(ack.existed).toBe(false);
    const read = await client.get("greeting");
    expect(new TextDecoder().decode(read?.value)).toBe("hello");
    expect(read?.version).toBe(ack.version);
    expect(new TextDecoder().decode((await client.get("greeting", "local"))?.value)).toBe("hello");
    expect(client.highestVersionSeen).toBe(ack.version);
    expect((await client.delete("greeting")).existed).toBe(true);
    expect(await client.get("greeting")).toBeUndefined();
    const [status] = await client.status();
    expect(status).toMatchObject({ node: "athens", role: "leader" });
  });

  it("fails with a typed error when no node answers, saying the outcome", async () => {
    const client = new KvClient({
      endpoints: [`http://127.0.0.1:${await freeLoopbackPort()}`],
      retriesMax: 1,
    });
    const failure = await client.get("x").catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(KvRequestError);
    expect(failure).toMatchObject({ code: "UNREACHABLE", outcome: "definite" });
  });

  it("refuses to start without endpoints", () => {
    expect(() => new KvClient({ endpoints: [] })).toThrow(/at least one endpoint/);
  });
});
