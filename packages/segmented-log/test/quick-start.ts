import { tmpdir } from "node:os";
import { join } from "node:path";
import { createNodeEnv } from "@pods/runtime-node";
import { SegmentedLog } from "@pods/segmented-log";

const env = await createNodeEnv({ dataDir: join(tmpdir(), `pods-segments-${process.pid}`) });
const log = await SegmentedLog.open(env.disk, { dir: "log", segmentBytesMax: 2048 });

// Append 100 records (their indexes follow on from lastIndex), one write, then make them durable.
const records = Array.from({ length: 100 }, (_, n) => ({
  index: log.lastIndex + 1 + n,
  generation: 1,
  timestampMs: env.clock.wallMs(),
  body: new TextEncoder().encode(`command ${n + 1}`),
}));
await log.append(records);
await log.sync();

console.log(log.segments().map((s) => `${s.file}: ${s.baseIndex}..${s.lastIndex}`));
// [ 'log/wal-…001.log: 1..48', 'log/wal-…049.log: 49..96', 'log/wal-…097.log: 97..100' ]
const [record] = await log.readFrom(70, 1); // binary search over segments, then a short scan
console.log(new TextDecoder().decode(record!.body)); // command 70

await log.truncateBefore(80); // deletes the whole sealed segment 1..48; reads below 49 now fail
await log.close();
