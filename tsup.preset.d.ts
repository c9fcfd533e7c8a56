import type { Options } from "tsup";

/** Build options for a Pods package: ESM only, Node 20 target, declarations, source maps. */
export function podsPackageConfig(options?: {
  entry?: Record<string, string>;
}): Options | Options[];
