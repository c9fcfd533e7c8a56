import { podsPackageConfig } from "../../tsup.preset.js";

// Programs, not a library: the node process, the cluster launcher and the CLI.
export default podsPackageConfig({
  entry: { "node-main": "src/node-main.ts", cluster: "src/cluster.ts", cli: "src/cli.ts" },
});
