import { packageName } from "@pods/versioned-value";

console.log(`${packageName} is installed`);
