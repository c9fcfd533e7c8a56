// Shared benchmark helpers (DESIGN.md, "Benchmarks"): measure a subject and its baseline side by
// side, in alternating rounds within one process, and write `.bench/<package folder>.json` at the
// repository root. Plain JavaScript so every package's bench can import it without a build.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const repoRoot = dirname(fileURLToPath(import.meta.url));

/**
 * Runs `work` repeatedly for about `durationMs` and returns operations per second. `work` does a
 * chunk of operations and returns how many it did.
 */
export async function opsPerSecond(work, durationMs) {
  let operations = 0;
  const started = performance.now();
  let elapsed = 0;
  while (elapsed < durationMs) {
    operations += await work();
    elapsed = performance.now() - started;
  }
  return (operations * 1000) / elapsed;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/**
 * Measures `subject` against `baseline` in alternating rounds (subject, baseline, subject, ...) so
 * that machine noise hits both alike, and reports the medians and their ratio (subject / baseline).
 */
export async function compareThroughput({
  name,
  subject,
  baseline,
  rounds = 5,
  roundMs = 400,
  warmupMs = 200,
}) {
  await opsPerSecond(subject.work, warmupMs);
  await opsPerSecond(baseline.work, warmupMs);
  const subjectRates = [];
  const baselineRates = [];
  for (let round = 0; round < rounds; round++) {
    subjectRates.push(await opsPerSecond(subject.work, roundMs));
    baselineRates.push(await opsPerSecond(baseline.work, roundMs));
  }
  const value = median(subjectRates);
  const baselineValue = median(baselineRates);
  return {
    name,
    value: round(value),
    unit: "ops/s",
    baseline: { name: baseline.name, value: round(baselineValue) },
    ratio: round(value / baselineValue, 3),
  };
}

/** Rounds to `digits` significant decimals for readable reports. */
export function round(value, digits = 1) {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

/**
 * Writes `.bench/<folder>.json` with the results and prints them as a table. `folder` is the
 * package's folder name (e.g. "codec"), `packageName` its npm name.
 */
export function writeBenchReport(folder, packageName, results) {
  const report = {
    package: packageName,
    node: process.version,
    date: new Date().toISOString(),
    results,
  };
  const dir = join(repoRoot, ".bench");
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${folder}.json`);
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  for (const result of results) {
    const against = result.baseline
      ? `  vs ${result.baseline.name}: ${result.baseline.value} → ratio ${result.ratio}`
      : "";
    console.log(`${packageName}: ${result.name}: ${result.value} ${result.unit}${against}`);
  }
  console.log(`wrote ${file}`);
  return report;
}
