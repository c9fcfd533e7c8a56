import { packageName } from "@pods/request-pipeline";

console.log(`${packageName} is installed`);
