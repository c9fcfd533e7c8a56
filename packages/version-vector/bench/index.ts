// Benchmarks of @pods/version-vector, each side by side with a naive baseline in the same process:
// compare and merge of 16-entry version vectors against the same operations on plain objects, and
// the binary form against JSON. Run with `pnpm bench`.
import { VersionVector, versionVectorCodec, type VersionOrder } from "@pods/version-vector";
import { compareThroughput, writeBenchReport, type BenchResult } from "../../../bench-kit.js";

const entries = 16;
const pairCount = 64;
const nodes = Array.from(
  { length: entries },
  (_, index) => `replica-${String(index).padStart(2, "0")}`,
);

/** Deterministic pseudo-random integers (xorshift), so runs compare alike. */
let state = 0x2545f491;
function nextInt(maxExclusive: number): number {
  state ^= state << 13;
  state ^= state >>> 17;
  state ^= state << 5;
  return (state >>> 0) % maxExclusive;
}

type Plain = Record<string, number>;

/** Pairs of 16-entry vectors: a quarter equal, a quarter ordered, half concurrent. */
function plainPairs(): [Plain, Plain][] {
  return Array.from({ length: pairCount }, (_, index) => {
    const a: Plain = {};
    for (const node of nodes) a[node] = 1 + nextInt(1000);
    const b: Plain = { ...a };
    const kind = index % 4;
    if (kind === 1) b[nodes[nextInt(entries)] as string]! += 1;
    if (kind >= 2) {
      b[nodes[nextInt(entries)] as string]! += 1;
      a[nodes[nextInt(entries)] as string]! += 2;
    }
    return [a, b];
  });
}

/** The baseline, written naively: the union of keys, then every counter. */
function naiveCompare(a: Plain, b: Plain): VersionOrder {
  let aAhead = false;
  let bAhead = false;
  for (const node of new Set([...Object.keys(a), ...Object.keys(b)])) {
    const x = a[node] ?? 0;
    const y = b[node] ?? 0;
    if (x > y) aAhead = true;
    else if (y > x) bAhead = true;
  }
  if (aAhead) return bAhead ? "concurrent" : "after";
  return bAhead ? "before" : "equal";
}

function naiveMerge(a: Plain, b: Plain): Plain {
  const merged: Plain = { ...a };
  for (const [node, counter] of Object.entries(b))
    merged[node] = Math.max(merged[node] ?? 0, counter);
  return merged;
}

const plain = plainPairs();
/** Built independently from objects: no shared node list (the general merge-join path). */
const independent = plain.map(([a, b]) => [VersionVector.from(a), VersionVector.from(b)] as const);
/** Derived from one another, as a store's versions are: they share their node list. */
const derived = plain.map(([a, b]) => {
  const base = VersionVector.from(a);
  return [base, base.merge(VersionVector.from(b)).merge(base)] as const;
});

let sink = 0;
const orders: Record<VersionOrder, number> = { before: 1, after: 2, equal: 3, concurrent: 4 };
function repeatPairs<T>(pairs: readonly (readonly [T, T])[], operation: (a: T, b: T) => number) {
  return () => {
    for (const [a, b] of pairs) sink ^= operation(a, b);
    return pairs.length;
  };
}

const compareBaseline = {
  name: "naive compare of plain objects (union of keys)",
  work: repeatPairs(plain, (a, b) => orders[naiveCompare(a, b)]),
};
const mergeBaseline = {
  name: "naive merge of plain objects (spread + max)",
  work: repeatPairs(plain, (a, b) => Object.keys(naiveMerge(a, b)).length),
};

const results: BenchResult[] = [
  await compareThroughput({
    name: "compare, 16-entry vectors built independently",
    subject: { work: repeatPairs(independent, (a, b) => orders[a.compare(b)]) },
    baseline: compareBaseline,
  }),
  await compareThroughput({
    name: "compare, 16-entry vectors derived from one another",
    subject: { work: repeatPairs(derived, (a, b) => orders[a.compare(b)]) },
    baseline: compareBaseline,
  }),
  await compareThroughput({
    name: "merge, 16-entry vectors built independently",
    subject: { work: repeatPairs(independent, (a, b) => a.merge(b).size) },
    baseline: mergeBaseline,
  }),
  await compareThroughput({
    name: "merge, 16-entry vectors derived from one another",
    subject: { work: repeatPairs(derived, (a, b) => a.merge(b).size) },
    baseline: mergeBaseline,
  }),
];

const sample = independent[0]?.[0] as VersionVector;
results.push({
  ...(await compareThroughput({
    name: "encode + decode, 16-entry vector, binary form",
    subject: {
      work: repeatPairs(
        independent,
        (a) => versionVectorCodec.decode(versionVectorCodec.encode(a)).size,
      ),
    },
    baseline: {
      name: "JSON.stringify + JSON.parse of the plain object",
      work: repeatPairs(plain, (a) => Object.keys(JSON.parse(JSON.stringify(a)) as Plain).length),
    },
  })),
  binaryBytes: versionVectorCodec.encode(sample).length,
  jsonBytes: JSON.stringify(plain[0]?.[0]).length,
});

writeBenchReport("version-vector", "@pods/version-vector", results);
if (sink === 0.5) console.log(sink); // never true; reads the sink
