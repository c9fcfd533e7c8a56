import { packageName } from "@pods/segmented-log";

console.log(`${packageName} is installed`);
