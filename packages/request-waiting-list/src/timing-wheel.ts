import type { Cancel, Clock, Scheduler } from "@pods/core-interfaces";
import { BinaryHeap } from "./binary-heap.ts";

/** The wheel's bookkeeping inside an item; the wheel owns these two fields. */
export interface WheelItem {
  /** The bucket holding the item, or `undefined` when it is not on the wheel. */
  wheelBucket: WheelBucket | undefined;
  /** The item's position in its bucket. */
  wheelSlot: number;
}

/** The items whose deadlines fall in one tick: `((tick − 1) × tickMs, tick × tickMs]`. */
export interface WheelBucket {
  /** The tick number; the bucket is due at `tick × tickMs`. */
  readonly tick: number;
  /** The items, in no particular order (removal swaps the last item into the hole). */
  readonly items: WheelItem[];
  /** Whether the bucket is still on the wheel (it leaves when its tick is passed). */
  open: boolean;
}

/** Options of {@link TimingWheel}. */
export interface TimingWheelOptions<T extends WheelItem> {
  /** Where the single wake-up is scheduled. */
  readonly scheduler: Scheduler;
  /** Monotonic time, read to place deadlines and to see what is due. */
  readonly clock: Clock;
  /** The width of a bucket, in ms: the expiry resolution. */
  readonly tickMs: number;
  /** Called for every item whose deadline has passed, after the wheel let go of it. */
  readonly expire: (item: T) => void;
  /** Runs an expiry pass (e.g. on the owner's update queue); default: at once. */
  readonly runPass?: ((pass: () => void) => void) | undefined;
}

/** What the wheel has done, for tests and benchmarks. */
export interface TimingWheelStats {
  /** Expiry passes run (each after one wake-up). */
  readonly passes: number;
  /** Buckets emptied by passes (due ones, and empty ones skipped on the way to the next). */
  readonly bucketsVisited: number;
  /** Items expired. */
  readonly expired: number;
}

/**
 * Deadlines bucketed by tick — a hashed timing wheel whose slots are keyed by absolute tick —
 * with a min-heap of the occupied ticks, so that the wheel keeps exactly one wake-up scheduled,
 * for the earliest bucket, and jumps over empty time instead of ticking through it (Kafka's
 * purgatory keeps a delay queue of its wheel buckets for the same reason).
 *
 * Adding and removing an item is O(1) (plus O(log b) to open a bucket for a new tick, b the
 * buckets); a pass costs O(items expiring + buckets passed × log b), never a scan of everything
 * pending. An item expires at the end of its deadline's tick: never before its deadline, and at
 * most `tickMs` after it (plus the scheduler's own lateness).
 */
export class TimingWheel<T extends WheelItem> {
  readonly #scheduler: Scheduler;
  readonly #clock: Clock;
  readonly #tickMs: number;
  readonly #expire: (item: T) => void;
  readonly #runPass: ((pass: () => void) => void) | undefined;
  readonly #buckets = new Map<number, WheelBucket>();
  readonly #ticks = new BinaryHeap<number>((a, b) => a < b);
  /** The bucket used last: consecutive adds with the same timeout usually share it. */
  #lastBucket: WheelBucket | undefined;
  #size = 0;
  #wakeTick: number | undefined;
  #cancelWake: Cancel | undefined;
  #passes = 0;
  #bucketsVisited = 0;
  #expired = 0;
  readonly #onWake = (): void => {
    this.#wakeTick = undefined;
    this.#cancelWake = undefined;
    if (this.#runPass === undefined) this.#pass();
    else this.#runPass(this.#passBound);
  };
  readonly #passBound = (): void => this.#pass();

  /** @param options - scheduler, clock, resolution and what to do with expired items. */
  constructor(options: TimingWheelOptions<T>) {
    this.#scheduler = options.scheduler;
    this.#clock = options.clock;
    this.#tickMs = options.tickMs;
    this.#expire = options.expire;
    this.#runPass = options.runPass;
  }

  /** Items on the wheel. */
  get size(): number {
    return this.#size;
  }

  /** Counters of the expiry work done. */
  get stats(): TimingWheelStats {
    return { passes: this.#passes, bucketsVisited: this.#bucketsVisited, expired: this.#expired };
  }

  /** The tick of the scheduled wake-up, or `undefined` when none is scheduled. */
  get wakeTick(): number | undefined {
    return this.#wakeTick;
  }

  /** When an item with deadline `deadlineMs` expires: the end of its tick. */
  expiryMs(deadlineMs: number): number {
    return this.#tickOf(deadlineMs) * this.#tickMs;
  }

  /** The first tick whose end is at or after `deadlineMs` (exact despite rounding). */
  #tickOf(deadlineMs: number): number {
    const tick = Math.ceil(deadlineMs / this.#tickMs);
    return tick * this.#tickMs < deadlineMs ? tick + 1 : tick;
  }

  /**
   * Puts `item` on the wheel to expire once monotonic time reaches `deadlineMs`.
   * `nowMs` is the current monotonic time (the caller has just read it).
   */
  add(item: T, deadlineMs: number, nowMs: number): void {
    const tick = this.#tickOf(deadlineMs);
    let bucket = this.#lastBucket;
    if (bucket === undefined || bucket.tick !== tick || !bucket.open) {
      bucket = this.#buckets.get(tick);
      if (bucket === undefined) {
        bucket = { tick, items: [], open: true };
        this.#buckets.set(tick, bucket);
        this.#ticks.push(tick);
      }
      this.#lastBucket = bucket;
    }
    item.wheelBucket = bucket;
    item.wheelSlot = bucket.items.length;
    bucket.items.push(item);
    this.#size++;
    if (this.#wakeTick === undefined || tick < this.#wakeTick) this.#wakeAt(tick, nowMs);
  }

  /** Takes `item` off the wheel; nothing happens if it is not on it. */
  remove(item: T): void {
    const bucket = item.wheelBucket;
    if (bucket === undefined) return;
    const items = bucket.items;
    const last = items.pop() as WheelItem;
    if (last !== item) {
      items[item.wheelSlot] = last;
      last.wheelSlot = item.wheelSlot;
    }
    item.wheelBucket = undefined;
    this.#size--;
  }

  /** Takes every item off the wheel (without expiring them) and cancels the wake-up. */
  clear(): void {
    for (const bucket of this.#buckets.values()) {
      bucket.open = false;
      for (const item of bucket.items) item.wheelBucket = undefined;
    }
    this.#buckets.clear();
    this.#ticks.clear();
    this.#lastBucket = undefined;
    this.#size = 0;
    this.#cancelWake?.();
    this.#cancelWake = undefined;
    this.#wakeTick = undefined;
  }

  #wakeAt(tick: number, nowMs: number): void {
    this.#cancelWake?.();
    this.#wakeTick = tick;
    // At least a millisecond (or a tick, when ticks are shorter) when the tick is ahead: a clock
    // that runs a hair slower than the scheduler (drift) would otherwise wake a hair early again
    // and again, each time for a smaller remainder, without ever reaching the tick. Items expire
    // at most that much later, within their tick.
    const dueInMs = tick * this.#tickMs - nowMs;
    this.#cancelWake = this.#scheduler.after(
      dueInMs <= 0 ? 0 : Math.max(dueInMs, Math.min(1, this.#tickMs)),
      this.#onWake,
    );
  }

  /**
   * Expires every item of the buckets due by now, then schedules the next wake-up. An expire
   * callback that throws does not stop the pass; the first such error is rethrown at its end.
   */
  #pass(): void {
    this.#passes++;
    const nowMs = this.#clock.monotonicMs();
    let failure: { error: unknown } | undefined;
    for (let tick = this.#ticks.peek(); tick !== undefined && tick * this.#tickMs <= nowMs;) {
      this.#ticks.pop();
      const bucket = this.#takeBucket(tick);
      // Pop one at a time: an expire callback may remove other items of this bucket.
      for (let item = bucket.items.pop(); item !== undefined; item = bucket.items.pop()) {
        item.wheelBucket = undefined;
        this.#size--;
        this.#expired++;
        try {
          this.#expire(item as T);
        } catch (error) {
          failure ??= { error };
        }
      }
      tick = this.#ticks.peek();
    }
    this.#scheduleNext(nowMs);
    if (failure !== undefined) throw failure.error;
  }

  /** Removes the bucket of `tick` (whose heap entry the caller popped) from the wheel. */
  #takeBucket(tick: number): WheelBucket {
    const bucket = this.#buckets.get(tick) as WheelBucket;
    this.#buckets.delete(tick);
    bucket.open = false;
    this.#bucketsVisited++;
    return bucket;
  }

  /** Drops empty buckets at the front, then wakes for the first occupied one. */
  #scheduleNext(nowMs: number): void {
    for (let tick = this.#ticks.peek(); tick !== undefined; tick = this.#ticks.peek()) {
      if ((this.#buckets.get(tick) as WheelBucket).items.length > 0) {
        if (this.#wakeTick === undefined || tick < this.#wakeTick) this.#wakeAt(tick, nowMs);
        return;
      }
      this.#ticks.pop();
      this.#takeBucket(tick);
    }
  }
}
