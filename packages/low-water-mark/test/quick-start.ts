import { packageName } from "@pods/low-water-mark";

console.log(`${packageName} is installed`);
