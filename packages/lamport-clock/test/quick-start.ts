import {
  compareLamportTimestamps,
  formatLamportTimestamp,
  LamportClock,
} from "@pods/lamport-clock";

const blue = new LamportClock({ nodeId: "blue" });
const green = new LamportClock({ nodeId: "green" });
const client = new LamportClock(); // a client only carries the highest timestamp it has seen

for (let i = 0; i < 100; i++) blue.tick(); // blue has been busy; green has not

// A server stamps a write with receive(the request's timestamp) and returns the stamp.
const t1 = blue.receive(client.peek()); // name=Alice on blue
client.observe(t1);
const t2 = green.receive(client.peek()); // title=Microservices on green
client.observe(t2);

console.log(compareLamportTimestamps(t2, t1) > 0); // true: caused by t1, so larger
console.log(formatLamportTimestamp(t2)); // "0000000000000102@green": sorts as plain text
