import { packageName } from "@pods/clock-bound-wait";

console.log(`${packageName} is installed`);
