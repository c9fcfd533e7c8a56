import { packageName } from "@pods/version-vector";

console.log(`${packageName} is installed`);
