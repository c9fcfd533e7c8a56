import { packageName } from "@pods/hybrid-clock";

console.log(`${packageName} is installed`);
