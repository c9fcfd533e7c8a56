import { isPodsError } from "@pods/core-interfaces";
import {
  FollowerReadClient,
  FollowerReader,
  ReplicaProgressTracker,
  ReplicaSelector,
} from "@pods/follower-reads";
import { Simulation } from "@pods/simulation";

// Any Clock and Scheduler will do; here the simulator's virtual time (on Node: @pods/runtime-node).
const sim = new Simulation({ seed: 1 });
const { clock, scheduler } = sim;

// A follower: its state machine, the progress its replicated log reports, and its reader.
const books = new Map<string, string>();
const progress = new ReplicaProgressTracker({ clock });
const follower = new FollowerReader({ progress, clock, scheduler, nodeId: "byzantium" });
const apply = (version: number, key: string, value: string): void => {
  books.set(key, value);
  progress.applied(version); // after applying: waiting reads may complete now
};
progress.leaderContact(1); // the leader said: committed up to version 1
apply(1, "title", "Distributed Systems");

// A client wrote title=Microservices and got version 2; the follower is still at version 1.
const read = follower.read(() => books.get("title"), { minVersion: 2 });
await sim.runFor(50);
progress.leaderContact(2);
apply(2, "title", "Microservices");
console.log(await read); // { value: 'Microservices', version: 2, waitedMs: 50 }

// The client side: the nearest replica, with the session token sent as the minimum version.
const client = new FollowerReadClient<string, string | undefined>({
  clock,
  selector: new ReplicaSelector({
    clock,
    localRegion: "us-east",
    replicas: [{ nodeId: "byzantium", address: "10.0.0.2:7000", region: "us-east" }],
  }),
  // How a read reaches a replica: here in-process; in a cluster, your RPC to its FollowerReader.
  port: { read: (_replica, key, options) => follower.read(() => books.get(key), options) },
});
client.observeWrite(2); // the version the write returned
console.log(await client.read("title")); // { value: 'Microservices', version: 2, ..., nodeId: 'byzantium' }

// Out of contact with the leader for longer than the read tolerates: refused.
await sim.runFor(2000);
await follower
  .read(() => books.get("title"), { maxStalenessMs: 1000 })
  .catch((error: unknown) => console.log(isPodsError(error) ? error.code : error)); // TOO_STALE
