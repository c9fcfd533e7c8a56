import { podsPackageConfig } from "../../tsup.preset.js";

export default podsPackageConfig();
