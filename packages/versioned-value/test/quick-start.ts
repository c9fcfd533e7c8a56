import { RevisionStore } from "@pods/versioned-value";

const store = new RevisionStore<string>();
store.put("title", "Patterns"); // revision 1
const reader = store.pin(1); // a reader holds revision 1 against compaction
store.put("title", "Patterns of Distributed Systems"); // 2
store.put("author", "Unmesh Joshi"); // 3
store.delete("title"); // 4: a tombstone

console.log(store.get("title", 1)?.value); // Patterns — as of revision 1
console.log(store.get("title")); // undefined — deleted at 4
console.log(store.range("a", undefined, { atVersion: 3 }).map((e) => `${e.key}=${e.value}`));
// [ 'author=Unmesh Joshi', 'title=Patterns of Distributed Systems' ]
console.log(store.history("title").map((e) => `${e.kind}@${e.version}`));
// [ 'put@1', 'put@2', 'delete@4' ]

console.log(store.compact(4)); // 1 — the pin holds compaction back
reader.release();
console.log(store.compact(4)); // 4 — "title" is gone; reads below 4 throw VersionCompactedError
