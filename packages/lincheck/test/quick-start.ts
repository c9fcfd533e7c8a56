import { packageName } from "@pods/lincheck";

console.log(`${packageName} is installed`);
