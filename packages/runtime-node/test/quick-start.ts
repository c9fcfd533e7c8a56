import { packageName } from "@pods/runtime-node";

console.log(`${packageName} is installed`);
