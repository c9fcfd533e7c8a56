import { packageName } from "@pods/simulation";

console.log(`${packageName} is installed`);
