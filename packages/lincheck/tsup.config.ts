import { podsPackageConfig } from "../../tsup.preset.js";

export default podsPackageConfig({ entry: { index: "src/index.ts", cli: "src/cli.ts" } });
