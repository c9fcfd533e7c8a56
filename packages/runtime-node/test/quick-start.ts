import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createNodeEnv } from "@pods/runtime-node";

const dataDir = await mkdtemp(join(tmpdir(), "pods-quick-start-"));
const env = await createNodeEnv({ dataDir, logFields: { node: "athens" } });

await env.disk.mkdir("wal");
const file = await env.disk.open("wal/00000001.log", { create: true });
await file.write(0, new TextEncoder().encode("hello, durable world"));
await file.sync(); // fdatasync: the bytes survive a crash from here on
const text = new TextDecoder().decode(await file.read(0, await file.size()));
await file.close();

env.logger.info("quick-start.read", { text, files: await env.disk.list("wal") });
await rm(dataDir, { recursive: true });
