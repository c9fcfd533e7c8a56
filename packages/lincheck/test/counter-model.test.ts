// The README's "write your own model" example is test/counter-model.ts, verbatim; check it works.
import { readFileSync } from "node:fs";
import {
  builtInModels,
  checkHistory,
  checkOperations,
  formatExplanation,
  parseHistory,
} from "@pods/lincheck";
import { expect, it } from "vitest";
import { counterModel } from "./counter-model.ts";

it("the README shows test/counter-model.ts verbatim", () => {
  const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
  const example = readFileSync(new URL("./counter-model.ts", import.meta.url), "utf8");
  expect(readme).toContain(example.trim());
});

it("the counter model checks histories and explains violations", () => {
  const models = [...builtInModels, counterModel];
  const history = parseHistory(
    {
      model: "counter",
      operations: [
        { client: 0, call: 0, return: 1, input: { op: "increment" }, output: {} },
        { client: 1, call: 2, return: null, input: { op: "increment" }, output: null },
        { client: 2, call: 3, return: 4, input: { op: "get" }, output: { value: 0 } },
      ],
    },
    { models },
  );
  const result = checkHistory(history, { models });
  expect(result.verdict).toBe("not linearizable");
  if (result.verdict !== "not linearizable") return;
  expect(formatExplanation(result.explanation)).toContain(
    "  #2 (client 2, 3–4): get → 0, but the counter is at 1",
  );
  expect(() =>
    checkOperations(counterModel, [
      { client: 0, call: 0, return: 1, input: { op: "get" }, output: { value: "1" } as never },
    ]),
  ).toThrow(/operation 0: output\.value must be an integer/);
});
