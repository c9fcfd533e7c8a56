import { integerVersions } from "./version-scheme.ts";
import type { StoreOptions } from "./options.ts";
import { VersionedStore } from "./versioned-store.ts";

/**
 * A {@link VersionedStore} numbered by one revision counter, as in a consistent core: every
 * {@link RevisionStore.put} and {@link RevisionStore.delete} takes the next integer version (1, 2,
 * 3, ...), so replicas that apply the same commands in the same order hold the same versions.
 */
export class RevisionStore<V> extends VersionedStore<V, number> {
  /**
   * @param options - limits and an optional snapshot to start from.
   * @throws `InvalidArgumentError` for a bad option.
   */
  constructor(options: StoreOptions<V, number> = {}) {
    super({ ...options, versions: integerVersions });
  }

  /**
   * Writes `value` for `key` at the next revision.
   *
   * @returns the new revision.
   * @throws `InvalidArgumentError` for a bad key.
   */
  put(key: string, value: V): number {
    const revision = this.currentVersion + 1;
    this.putAt(key, revision, value);
    return revision;
  }

  /**
   * Deletes `key` at the next revision (a tombstone; recorded even when the key has no value).
   *
   * @returns the new revision.
   * @throws `InvalidArgumentError` for a bad key.
   */
  delete(key: string): number {
    const revision = this.currentVersion + 1;
    this.deleteAt(key, revision);
    return revision;
  }
}
