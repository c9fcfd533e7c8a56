import { packageName } from "@pods/lamport-clock";

console.log(`${packageName} is installed`);
