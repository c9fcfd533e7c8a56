import { IOError, isPodsError } from "@pods/core-interfaces";
import { errnoCode } from "./fs-system.ts";

/**
 * Turns an error from `node:fs` into the `IOError` of the `Disk` port: `ENOENT` is
 * `"not-found"`, `EEXIST` is `"exists"`, anything else `"failed"`. The system's message (with its
 * errno code) becomes the detail and the original error the cause. Pods errors pass unchanged.
 */
export function toIOError(operation: string, path: string, error: unknown): Error {
  if (isPodsError(error)) return error;
  const code = errnoCode(error);
  const failure = code === "ENOENT" ? "not-found" : code === "EEXIST" ? "exists" : "failed";
  const message = error instanceof Error ? error.message : String(error);
  const detail = code === undefined || message.startsWith(code) ? message : `${code}: ${message}`;
  return new IOError(operation, path, failure, detail, { cause: error });
}
