import { tmpdir } from "node:os";
import { join } from "node:path";
import { GenerationClock, GenerationFence, StaleGenerationError } from "@pods/generation-clock";
import { createNodeEnv } from "@pods/runtime-node";

const env = await createNodeEnv({ dataDir: join(tmpdir(), `pods-generation-${process.pid}`) });
const clock = await GenerationClock.open({ disk: env.disk });

// A candidate moves to the next generation and votes for itself, durably, before asking peers.
const generation = await clock.campaign("athens");
console.log(generation, clock.votedFor); // 1 athens

// One vote per generation: another candidate of the same generation is refused.
console.log(await clock.vote(generation, "byzantium")); // false

// A message from a newer generation: adopt it (forgetting the vote), step down, then process it.
if (clock.judge(generation + 1) === "newer") await clock.adopt(generation + 1);
console.log(clock.state); // { generation: 2, votedFor: undefined }

// A resource fences off a replaced leader by the generation its writes carry.
const fence = new GenerationFence();
fence.check(2, "write from byzantium");
try {
  fence.check(1, "write from athens");
} catch (error) {
  console.log(error instanceof StaleGenerationError, (error as Error).message);
  // true "write from athens carries generation 1, but generation 2 has been seen: ..."
}
