import { packageName } from "@pods/high-water-mark";

console.log(`${packageName} is installed`);
