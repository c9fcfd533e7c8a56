import { packageName } from "@pods/idempotent-receiver";

console.log(`${packageName} is installed`);
