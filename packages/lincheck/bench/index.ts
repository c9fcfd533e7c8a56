// Benchmarks of @pods/lincheck: the time to check the shared test data (102 etcd register
// histories, 6 kv histories), and throughput against a brute-force checker on small histories.
// Writes .bench/lincheck.json.
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { checkHistory, checkOperations, parseHistory, type HistoryFile } from "@pods/lincheck";
import {
  compareThroughput,
  round,
  writeBenchReport,
  type BenchResult,
} from "../../../bench-kit.js";
import { mixedHistory, registerFixture } from "../test/arbitraries.ts";
import { bruteForceLinearizable } from "../test/brute-force.ts";

const testdata = new URL("../../../../shared/testdata/linearizability/", import.meta.url);
const expected = JSON.parse(readFileSync(new URL("expected.json", testdata), "utf8")) as Record<
  string,
  string
>;
const rounds = 7;

function load(prefix: string): { name: string; file: HistoryFile }[] {
  return Object.keys(expected)
    .filter((name) => name.startsWith(prefix))
    .map((name) => ({
      name,
      file: parseHistory(JSON.parse(readFileSync(new URL(name, testdata), "utf8"))),
    }));
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Checks every file `rounds` times; returns the first (cold) and median totals and the slowest. */
function timeSet(label: string, files: readonly { name: string; file: HistoryFile }[]) {
  const totals: number[] = [];
  const perFile = new Map<string, number[]>(files.map(({ name }) => [name, []]));
  for (let round = 0; round < rounds; round++) {
    let total = 0;
    for (const { name, file } of files) {
      const started = performance.now();
      const { verdict } = checkHistory(file, { timeoutMs: 60_000 });
      const elapsedMs = performance.now() - started;
      if (verdict !== expected[name])
        throw new Error(`${name}: ${verdict}, expected ${expected[name]}`);
      total += elapsedMs;
      perFile.get(name)!.push(elapsedMs);
    }
    totals.push(total);
  }
  const [slowestName, slowestMs] = [...perFile]
    .map(([name, times]) => [name, median(times)] as const)
    .reduce((worst, entry) => (entry[1] > worst[1] ? entry : worst));
  const results: BenchResult[] = [
    {
      name: `${label}: whole set, median of ${rounds} rounds`,
      value: round(median(totals) / 1000, 3),
      unit: "s",
    },
    {
      name: `${label}: whole set, first (cold) round`,
      value: round(totals[0]! / 1000, 3),
      unit: "s",
    },
    {
      name: `${label}: slowest file (${slowestName}), median`,
      value: round(slowestMs / 1000, 4),
      unit: "s",
    },
    {
      name: `${label}: histories per second`,
      value: round((files.length * 1000) / median(totals)),
      unit: "histories/s",
    },
  ];
  return results;
}

const etcd = timeSet("etcd set (102 register histories)", load("etcd/"));
const kv = timeSet("kv set (6 histories, 1–50 clients)", load("kv/"));

const small = fc.sample(mixedHistory(registerFixture, 7), { numRuns: 200, seed: 42 });
const versusBruteForce = await compareThroughput({
  name: "random register histories of up to 7 operations",
  subject: {
    work: () => {
      for (const history of small) checkOperations(registerFixture.model, history);
      return small.length;
    },
  },
  baseline: {
    name: "brute force over every order (test/brute-force.ts)",
    work: () => {
      for (const history of small) bruteForceLinearizable(registerFixture.model, history);
      return small.length;
    },
  },
});

writeBenchReport("lincheck", "@pods/lincheck", [
  ...etcd,
  ...kv,
  { ...versusBruteForce, unit: "histories/s" },
]);
