import { checkHistory, defaultTimeoutMs, type CheckResult } from "./check.ts";
import { formatExplanation } from "./explanation.ts";
import { parseHistory } from "./parse-history.ts";

/** What {@link runCli} reads and writes through, so that it runs in tests without a process. */
export interface CliIo {
  /** Returns the text of the file at `path`; throws if it cannot be read. */
  readFile(path: string): string;
  /** Writes one line of the report (without its newline) to standard output. */
  stdout(line: string): void;
  /** Writes one line of a usage error (without its newline) to standard error. */
  stderr(line: string): void;
}

/** `pods-lincheck --help`. */
export const cliUsage = `Usage: pods-lincheck [--timeout-ms N] <file.json>...

Checks each history file for linearizability against the model its "model" field names
("register" or "kv") and prints one line per file:
  <file>: linearizable
  <file>: not linearizable      followed by an indented explanation
  <file>: unknown (timeout)     the time budget ran out (or: unknown (memory limit))
  <file>: error: <reason>       the file cannot be read or is not a valid history

Options:
  --timeout-ms N   time budget per file in milliseconds (default ${defaultTimeoutMs})
  -h, --help       print this help

Exit status: 0 if every file is linearizable, 1 if any is not linearizable or unknown,
2 on a usage error or if any file cannot be read or is invalid.`;

/** Exit statuses of {@link runCli}. */
const exitLinearizable = 0;
const exitNotLinearizable = 1;
const exitBadInput = 2;

interface CliArguments {
  readonly files: readonly string[];
  readonly timeoutMs: number;
  readonly help: boolean;
}

function parseArguments(argv: readonly string[]): CliArguments | string {
  const files: string[] = [];
  let timeoutMs = defaultTimeoutMs;
  let help = false;
  for (let position = 0; position < argv.length; position++) {
    const argument = argv[position]!;
    if (argument === "--") {
      files.push(...argv.slice(position + 1));
      break;
    } else if (argument === "-h" || argument === "--help") {
      help = true;
    } else if (argument === "--timeout-ms" || argument.startsWith("--timeout-ms=")) {
      const value = argument.includes("=")
        ? argument.slice(argument.indexOf("=") + 1)
        : argv[++position];
      timeoutMs = Number(value);
      if (value === undefined || value.trim() === "" || !(timeoutMs > 0)) {
        return `--timeout-ms needs a positive number of milliseconds, got ${value ?? "nothing"}`;
      }
    } else if (argument.startsWith("-") && argument !== "-") {
      return `unknown option ${argument}`;
    } else {
      files.push(argument);
    }
  }
  if (!help && files.length === 0) return "no history file given";
  return { files, timeoutMs, help };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Runs `pods-lincheck` with the given arguments (without the node and script paths) and returns
 * its exit status: 0 if every file is linearizable, 1 if any is not linearizable or unknown, 2 on
 * a usage error or an unreadable or invalid file (the other files are still checked).
 */
export function runCli(argv: readonly string[], io: CliIo): number {
  const parsed = parseArguments(argv);
  if (typeof parsed === "string") {
    io.stderr(`pods-lincheck: ${parsed}`);
    io.stderr("Run pods-lincheck --help for usage.");
    return exitBadInput;
  }
  if (parsed.help) {
    for (const line of cliUsage.split("\n")) io.stdout(line);
    return exitLinearizable;
  }
  let status = exitLinearizable;
  for (const file of parsed.files) {
    let text: string;
    try {
      text = io.readFile(file);
    } catch (error) {
      io.stdout(`${file}: error: cannot read the file: ${messageOf(error)}`);
      status = exitBadInput;
      continue;
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      io.stdout(`${file}: error: not valid JSON: ${messageOf(error)}`);
      status = exitBadInput;
      continue;
    }
    let result: CheckResult;
    try {
      result = checkHistory(parseHistory(json), { timeoutMs: parsed.timeoutMs });
    } catch (error) {
      io.stdout(`${file}: error: ${messageOf(error)}`);
      status = exitBadInput;
      continue;
    }
    switch (result.verdict) {
      case "linearizable":
        io.stdout(`${file}: linearizable`);
        break;
      case "not linearizable":
        io.stdout(`${file}: not linearizable`);
        for (const line of formatExplanation(result.explanation)) io.stdout(`  ${line}`);
        break;
      case "unknown":
        io.stdout(`${file}: unknown (${result.reason})`);
        break;
    }
    if (result.verdict !== "linearizable" && status === exitLinearizable) {
      status = exitNotLinearizable;
    }
  }
  return status;
}
