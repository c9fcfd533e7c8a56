/**
 * A reader's hold on a version: while it is held, compaction keeps everything a read at that
 * version needs. Release it when the reader is done.
 */
export interface Pin<Ver> {
  /** The version pinned. */
  readonly version: Ver;
  /** Whether {@link Pin.release} has been called. */
  readonly released: boolean;
  /** Lets compaction pass this version. Idempotent. */
  release(): void;
}

/** The versions pinned, as a sorted multiset (readers often pin the same version). */
export class PinRegistry<Ver> {
  private readonly versions: Ver[] = [];

  /** @param compare - the version order. */
  constructor(private readonly compare: (a: Ver, b: Ver) => number) {}

  /** The number of pins held. */
  get size(): number {
    return this.versions.length;
  }

  /** The oldest version pinned, if any. */
  get oldest(): Ver | undefined {
    return this.versions[0];
  }

  /** The pinned versions, oldest first, with repeats. */
  list(): readonly Ver[] {
    return [...this.versions];
  }

  /** Pins `version` and returns the handle that releases it. */
  add(version: Ver): Pin<Ver> {
    this.versions.splice(this.upperBound(version), 0, version);
    let released = false;
    return {
      version,
      get released() {
        return released;
      },
      release: () => {
        if (released) return;
        released = true;
        this.versions.splice(this.upperBound(version) - 1, 1);
      },
    };
  }

  /** The first position whose version is above `version`. */
  private upperBound(version: Ver): number {
    let low = 0;
    let high = this.versions.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.compare(this.versions[middle]!, version) <= 0) low = middle + 1;
      else high = middle;
    }
    return low;
  }
}
