import { packageName } from "@pods/generation-clock";

console.log(`${packageName} is installed`);
