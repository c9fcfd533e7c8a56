// Every history of the shared linearizability test data, against the verdict porcupine gives it.
import { readFileSync } from "node:fs";
import { checkHistory, parseHistory, type Verdict } from "@pods/lincheck";
import { describe, expect, it } from "vitest";

const testdata = new URL("../../../../shared/testdata/linearizability/", import.meta.url);
const expected = JSON.parse(readFileSync(new URL("expected.json", testdata), "utf8")) as Record<
  string,
  Verdict
>;

describe("the shared linearizability test data", () => {
  it("has the 102 etcd and 6 kv histories the README lists", () => {
    const names = Object.keys(expected);
    expect(names.filter((name) => name.startsWith("etcd/"))).toHaveLength(102);
    expect(names.filter((name) => name.startsWith("kv/"))).toHaveLength(6);
  });

  it.each(Object.entries(expected))("%s is %s", (name, verdict) => {
    const file = parseHistory(JSON.parse(readFileSync(new URL(name, testdata), "utf8")));
    expect(file.expected).toBe(verdict);
    expect(checkHistory(file, { timeoutMs: 120_000 }).verdict).toBe(verdict);
  });
});
