import { packageName } from "@pods/core-interfaces";

console.log(`${packageName} is installed`);
