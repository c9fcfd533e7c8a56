import { packageName } from "@pods/write-ahead-log";

console.log(`${packageName} is installed`);
