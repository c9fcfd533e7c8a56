import { packageName } from "@pods/majority-quorum";

console.log(`${packageName} is installed`);
