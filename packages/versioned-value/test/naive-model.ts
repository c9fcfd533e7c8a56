// A deliberately naive model of a versioned store for property tests: an unsorted array of every
// (key, version, value) ever written, never compacted, answering each question by filtering and
// sorting. Compaction only moves the point below which reads are refused.
import type { HistoryEvent, VersionedValue, VersionScheme } from "../src/index.ts";

/** A write in the model. */
interface ModelRecord<V, Ver> {
  readonly key: string;
  readonly version: Ver;
  readonly deleted: boolean;
  readonly value: V | undefined;
}

/** What an operation did, comparable between model and store. */
export type Outcome<T> =
  { readonly ok: T } | { readonly error: "conflict" | "compacted" | "invalid" };

export class NaiveModel<V, Ver> {
  readonly records: ModelRecord<V, Ver>[] = [];
  readonly pins: Ver[] = [];
  current: Ver;
  compacted: Ver;

  constructor(private readonly scheme: VersionScheme<Ver>) {
    this.current = scheme.zero;
    this.compacted = scheme.zero;
  }

  write(key: string, version: Ver, value: V | undefined, deleted: boolean): Outcome<undefined> {
    const { compare } = this.scheme;
    if (compare(version, this.scheme.zero) <= 0) return { error: "invalid" };
    if (compare(version, this.compacted) <= 0) return { error: "compacted" };
    const existing = this.records.find((r) => r.key === key && compare(r.version, version) === 0);
    if (existing !== undefined) {
      const same = existing.deleted === deleted && (deleted || Object.is(existing.value, value));
      return same ? { ok: undefined } : { error: "conflict" };
    }
    this.records.push({ key, version, deleted, value });
    if (compare(version, this.current) > 0) this.current = version;
    return { ok: undefined };
  }

  get(key: string, at: Ver | undefined): Outcome<VersionedValue<V, Ver> | undefined> {
    if (this.belowCompacted(at)) return { error: "compacted" };
    return { ok: this.visible(key, at) };
  }

  scan(
    inRange: (key: string) => boolean,
    at: Ver | undefined,
    limit: number,
  ): Outcome<VersionedValue<V, Ver>[]> {
    if (this.belowCompacted(at)) return { error: "compacted" };
    const keys = [...new Set(this.records.map((r) => r.key))].filter(inRange).sort(byCodeUnits);
    const entries = keys.map((key) => this.visible(key, at)).filter((entry) => entry !== undefined);
    return { ok: entries.slice(0, limit) };
  }

  history(
    key: string,
    from: Ver | undefined,
    to: Ver | undefined,
    limit: number,
  ): Outcome<HistoryEvent<V, Ver>[]> {
    if (this.belowCompacted(from) || this.belowCompacted(to)) return { error: "compacted" };
    const { compare } = this.scheme;
    const lowest = from ?? this.compacted;
    const events = this.events(key).filter(
      (event) =>
        compare(event.version, lowest) >= 0 &&
        (to === undefined || compare(event.version, to) <= 0),
    );
    return { ok: events.slice(0, limit) };
  }

  newestBetween(key: string, after: Ver, upTo: Ver): Outcome<Ver | undefined> {
    if (this.belowCompacted(after) || this.belowCompacted(upTo)) return { error: "compacted" };
    const { compare } = this.scheme;
    const inside = this.events(key).filter(
      (e) => compare(e.version, after) > 0 && compare(e.version, upTo) <= 0,
    );
    return { ok: inside.at(-1)?.version };
  }

  pin(version: Ver): Outcome<undefined> {
    if (this.belowCompacted(version)) return { error: "compacted" };
    this.pins.push(version);
    return { ok: undefined };
  }

  release(version: Ver): void {
    const { compare } = this.scheme;
    this.pins.splice(
      this.pins.findIndex((pin) => compare(pin, version) === 0),
      1,
    );
  }

  compact(version: Ver): Outcome<Ver> {
    const { compare } = this.scheme;
    if (compare(version, this.current) > 0) return { error: "invalid" };
    const point = [version, ...this.pins].reduce((a, b) => (compare(b, a) < 0 ? b : a));
    if (compare(point, this.compacted) > 0) this.compacted = point;
    return { ok: this.compacted };
  }

  /** The pinned versions, oldest first. */
  pinnedVersions(): Ver[] {
    return [...this.pins].sort(this.scheme.compare);
  }

  /** How many records and keys a store compacted at the model's point retains. */
  retained(): { records: number; keys: number } {
    const { compare } = this.scheme;
    let records = 0;
    let keys = 0;
    for (const key of new Set(this.records.map((r) => r.key))) {
      const events = this.events(key);
      const above = events.filter((e) => compare(e.version, this.compacted) > 0).length;
      const floor = events.filter((e) => compare(e.version, this.compacted) <= 0).at(-1);
      const keepsFloor =
        floor !== undefined &&
        (floor.kind === "put" || compare(floor.version, this.compacted) === 0);
      const count = above + (keepsFloor ? 1 : 0);
      records += count;
      if (count > 0) keys++;
    }
    return { records, keys };
  }

  private belowCompacted(version: Ver | undefined): boolean {
    return version !== undefined && this.scheme.compare(version, this.compacted) < 0;
  }

  private visible(key: string, at: Ver | undefined): VersionedValue<V, Ver> | undefined {
    const { compare } = this.scheme;
    const upTo = this.events(key).filter((e) => at === undefined || compare(e.version, at) <= 0);
    const newest = upTo.at(-1);
    return newest?.kind === "put" ? strip(newest) : undefined;
  }

  /** Every write of `key`, oldest first, with metadata derived from the full history. */
  private events(key: string): HistoryEvent<V, Ver>[] {
    const { compare } = this.scheme;
    const writes = this.records
      .filter((r) => r.key === key)
      .sort((a, b) => compare(a.version, b.version));
    const events: HistoryEvent<V, Ver>[] = [];
    let created: { version: Ver; count: number } | undefined;
    for (const write of writes) {
      if (write.deleted) {
        created = undefined;
        events.push({ kind: "delete", key, version: write.version });
      } else {
        created =
          created === undefined
            ? { version: write.version, count: 1 }
            : { version: created.version, count: created.count + 1 };
        events.push({
          kind: "put",
          key,
          value: write.value as V,
          version: write.version,
          createVersion: created.version,
          versionCount: created.count,
        });
      }
    }
    return events;
  }
}

function strip<V, Ver>(event: HistoryEvent<V, Ver> & { kind: "put" }): VersionedValue<V, Ver> {
  const { key, value, version, createVersion, versionCount } = event;
  return { key, value, version, createVersion, versionCount };
}

/** Orders strings by UTF-16 code units, as the store does. */
export function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
