#!/usr/bin/env node
// pods-kv: a command-line client of the example store.
//   pods-kv put <key> <value>   pods-kv get <key> [--local]   pods-kv delete <key>   pods-kv status
// Nodes come from --endpoints a,b,c or PODS_KV_ENDPOINTS (default: the three of `pnpm cluster`).
import { KvClient, KvRequestError } from "./client.ts";
import { defaultHttpPorts } from "./cluster-layout.ts";

const usage = `usage: pods-kv [--endpoints URL,URL,...] <command>
  put <key> <value>     store a value (committed on a majority before it answers)
  get <key> [--local]   read a value (linearizable; --local reads the node's applied state)
  delete <key>          delete a key
  status                every node's role, generation, leader and indexes`;

function endpointsFrom(args: string[]): string[] {
  const at = args.indexOf("--endpoints");
  if (at >= 0) {
    const list = args[at + 1];
    args.splice(at, 2);
    if (list !== undefined) return list.split(",");
  }
  const fromEnv = process.env.PODS_KV_ENDPOINTS;
  if (fromEnv !== undefined && fromEnv !== "") return fromEnv.split(",");
  return defaultHttpPorts.map((port) => `http://127.0.0.1:${port}`);
}

async function main(args: string[]): Promise<number> {
  const client = new KvClient({ endpoints: endpointsFrom(args) });
  const local = args.includes("--local");
  const [command, key, value] = args.filter((arg) => arg !== "--local");
  switch (command) {
    case "put": {
      if (key === undefined || value === undefined) break;
      const ack = await client.put(key, value);
      console.log(`ok (version ${ack.version}${ack.existed ? ", replaced a value" : ""})`);
      return 0;
    }
    case "get": {
      if (key === undefined) break;
      const found = await client.get(key, local ? "local" : "linearizable");
      if (found === undefined) {
        console.error(`not found: ${key}`);
        return 1;
      }
      process.stdout.write(`${new TextDecoder().decode(found.value)}\n`);
      return 0;
    }
    case "delete": {
      if (key === undefined) break;
      const ack = await client.delete(key);
      console.log(
        ack.existed ? `deleted (version ${ack.version})` : `no such key (version ${ack.version})`,
      );
      return 0;
    }
    case "status":
      console.log(JSON.stringify(await client.status(), null, 2));
      return 0;
    default:
      break;
  }
  console.error(usage);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof KvRequestError) {
      console.error(`error ${error.code}: ${error.message} (outcome: ${error.outcome})`);
    } else {
      console.error(String(error));
    }
    process.exit(1);
  },
);
