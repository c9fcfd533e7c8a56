import { packageName } from "@pods/single-socket-channel";

console.log(`${packageName} is installed`);
