import { mergeValues, ReplicaStore, resolveSiblings, VersionVector } from "@pods/version-vector";

// Which of two versions saw the other? Neither: they are concurrent.
const a = VersionVector.from({ athens: 2, byzantium: 1 });
const b = VersionVector.from({ athens: 1, byzantium: 2 });
console.log(a.compare(b), a.merge(b).toString()); // concurrent {athens: 2, byzantium: 2}

// One replica's store. Any Clock port works (on Node: systemClock of @pods/runtime-node).
const clock = { wallMs: () => 1_764_000_000_000 };
const athens = new ReplicaStore<string[]>({ replicaId: "athens", clock });

const alice = athens.put("cart", ["milk"]);
athens.put("cart", ["eggs"]); // Bob writes without having seen Alice's cart
athens.put("cart", ["milk", "bread"], alice.context); // Alice's update replaces only her version
const read = athens.get("cart");
console.log(read.siblings.map((sibling) => sibling.value)); // [ [ 'eggs' ], [ 'milk', 'bread' ] ]

// Resolve the siblings and write the result back with the read's context: one version again.
const union = mergeValues<string[]>((x, y) => [...new Set([...x, ...y])].sort());
const resolved = resolveSiblings(read, union);
if (resolved !== undefined) athens.put("cart", resolved.value, resolved.context);
console.log(athens.get("cart").siblings.map((sibling) => sibling.value)); // [ [ 'bread', 'eggs', 'milk' ] ]
