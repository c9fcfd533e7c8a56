import { packageName } from "@pods/follower-reads";

console.log(`${packageName} is installed`);
