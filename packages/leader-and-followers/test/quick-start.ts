import { packageName } from "@pods/leader-and-followers";

console.log(`${packageName} is installed`);
