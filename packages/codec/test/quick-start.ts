import { packageName } from "@pods/codec";

console.log(`${packageName} is installed`);
