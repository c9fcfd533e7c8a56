import { describe, expect, it } from "vitest";
import { runCli, type CliIo } from "./cli-run.ts";

const write = { client: 0, call: 0, return: 1, input: { op: "write", value: 1 }, output: {} };
const goodRead = { client: 1, call: 2, return: 3, input: { op: "read" }, output: { value: 1 } };
const staleRead = { client: 1, call: 2, return: 3, input: { op: "read" }, output: { value: null } };

const files: Record<string, string> = {
  "ok.json": JSON.stringify({ model: "register", operations: [write, goodRead] }),
  "bad.json": JSON.stringify({ model: "register", operations: [write, staleRead] }),
  "kv.json": JSON.stringify({
    model: "kv",
    operations: [
      { client: 0, call: 0, return: 1, input: { op: "get", key: "k" }, output: { value: "" } },
    ],
  }),
  "broken.json": "{ not json",
  "invalid.json": JSON.stringify({
    model: "register",
    operations: [{ ...write, input: { op: "write" } }],
  }),
};

function run(...argv: string[]): { status: number; stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const io: CliIo = {
    readFile: (path) => {
      const text = files[path];
      if (text === undefined) throw new Error(`ENOENT: no such file or directory, open '${path}'`);
      return text;
    },
    stdout: (line) => stdout.push(line),
    stderr: (line) => stderr.push(line),
  };
  return { status: runCli(argv, io), stdout, stderr };
}

describe("runCli", () => {
  it("prints one verdict line per file and exits 0 when all are linearizable", () => {
    expect(run("ok.json", "kv.json")).toEqual({
      status: 0,
      stdout: ["ok.json: linearizable", "kv.json: linearizable"],
      stderr: [],
    });
  });

  it("explains a violation, indented, and exits 1", () => {
    const { status, stdout } = run("bad.json", "ok.json");
    expect(status).toBe(1);
    expect(stdout).toEqual([
      "bad.json: not linearizable",
      "  in the history (2 operations):",
      "  the longest linearizable prefix has 1 operation:",
      "    #0 (client 0, 0–1): write 1  ⇒ the register holds 1",
      "  after it the register holds 1, and every returned operation that could come next " +
        "answers wrongly:",
      "    #1 (client 1, 2–3): read → null, but the register holds 1",
      "ok.json: linearizable",
    ]);
  });

  it("reports unreadable and invalid files, checks the rest, and exits 2", () => {
    const { status, stdout } = run("missing.json", "broken.json", "invalid.json", "bad.json");
    expect(status).toBe(2);
    expect(stdout[0]).toBe(
      "missing.json: error: cannot read the file: ENOENT: no such file or directory, open 'missing.json'",
    );
    expect(stdout[1]).toMatch(/^broken\.json: error: not valid JSON: /);
    expect(stdout[2]).toMatch(
      /^invalid\.json: error: operation 0: input\.value of a write must be an integer/,
    );
    expect(stdout[3]).toBe("bad.json: not linearizable");
  });

  it("accepts --timeout-ms in both spellings, and -- before file names", () => {
    expect(run("--timeout-ms", "500", "ok.json").status).toBe(0);
    expect(run("--timeout-ms=500", "--", "ok.json").stdout).toEqual(["ok.json: linearizable"]);
  });

  it("prints help on --help and exits 0", () => {
    const { status, stdout } = run("--help");
    expect(status).toBe(0);
    expect(stdout[0]).toBe("Usage: pods-lincheck [--timeout-ms N] <file.json>...");
    expect(stdout.join("\n")).toContain("Exit status: 0 if every file is linearizable");
  });

  it.each([
    [[], "pods-lincheck: no history file given"],
    [
      ["--timeout-ms"],
      "pods-lincheck: --timeout-ms needs a positive number of milliseconds, got nothing",
    ],
    [
      ["--timeout-ms", "soon", "ok.json"],
      "pods-lincheck: --timeout-ms needs a positive number of milliseconds, got soon",
    ],
    [
      ["--timeout-ms=0", "ok.json"],
      "pods-lincheck: --timeout-ms needs a positive number of milliseconds, got 0",
    ],
    [["--verbose", "ok.json"], "pods-lincheck: unknown option --verbose"],
  ])("rejects the arguments %j with exit status 2", (argv, message) => {
    expect(run(...argv)).toEqual({
      status: 2,
      stdout: [],
      stderr: [message, "Run pods-lincheck --help for usage."],
    });
  });
});
