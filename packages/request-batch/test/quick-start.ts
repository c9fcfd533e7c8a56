import { packageName } from "@pods/request-batch";

console.log(`${packageName} is installed`);
