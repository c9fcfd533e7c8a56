import { packageName } from "@pods/replicated-log";

console.log(`${packageName} is installed`);
