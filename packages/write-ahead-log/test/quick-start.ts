import { tmpdir } from "node:os";
import { join } from "node:path";
import { createNodeEnv } from "@pods/runtime-node";
import { WriteAheadLog } from "@pods/write-ahead-log";

// A durable key-value store (the book's example): log each put before applying it; replay on open.
async function openStore(dataDir: string) {
  const state = new Map<string, string>();
  const apply = (bytes: Uint8Array) => {
    const [key, value] = JSON.parse(new TextDecoder().decode(bytes)) as [string, string];
    state.set(key, value);
  };
  const env = await createNodeEnv({ dataDir });
  const wal = await WriteAheadLog.open(env, { replay: (entry) => apply(entry.payload) });
  const put = async (key: string, value: string) => {
    const payload = new TextEncoder().encode(JSON.stringify([key, value]));
    await wal.append({ payload }); // resolves once fsynced: durable before it is applied
    apply(payload);
  };
  return { state, put, wal };
}

const dataDir = join(tmpdir(), `pods-kv-${process.pid}`);
const store = await openStore(dataDir);
await store.put("title", "Microservices");
await store.put("author", "Martin");
await store.wal.close(); // a restart: the next open replays the log

const reopened = await openStore(dataDir);
console.log(reopened.state.get("title"), reopened.wal.lastIndex); // Microservices 2
await reopened.wal.close();
