import { checkOperations, formatExplanation, registerModel } from "@pods/lincheck";

// Client 0 writes 1 while client 1 reads twice: first 1, then null (the empty register).
const result = checkOperations(registerModel, [
  { client: 0, call: 0, return: 10, input: { op: "write", value: 1 }, output: {} },
  { client: 1, call: 2, return: 4, input: { op: "read" }, output: { value: 1 } },
  { client: 1, call: 6, return: 8, input: { op: "read" }, output: { value: null } },
]);

console.log(result.verdict); // "not linearizable": once 1 was read, null cannot be
if (result.verdict === "not linearizable") {
  console.log(formatExplanation(result.explanation).join("\n"));
}
