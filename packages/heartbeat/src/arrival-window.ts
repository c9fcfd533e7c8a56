/**
 * The last `capacity` intervals between a peer's heartbeats, with their mean and standard
 * deviation in O(1) per sample. Running sums drift by rounding as samples come and go, so they
 * are recomputed exactly once per `capacity` samples (amortised O(1)).
 */
export class ArrivalWindow {
  readonly #capacity: number;
  readonly #samples: number[] = [];
  #next = 0;
  #sum = 0;
  #sumOfSquares = 0;
  #sinceRecompute = 0;

  /** @param capacity - samples kept, an integer ≥ 1 (validated by the caller). */
  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  /** Samples held (at most the capacity). */
  get count(): number {
    return this.#samples.length;
  }

  /** The mean of the samples held, in ms (0 when empty). */
  get meanMs(): number {
    return this.count === 0 ? 0 : this.#sum / this.count;
  }

  /** The population standard deviation of the samples held, in ms (0 when empty). */
  get stdDevMs(): number {
    if (this.count === 0) return 0;
    const mean = this.meanMs;
    return Math.sqrt(Math.max(0, this.#sumOfSquares / this.count - mean * mean));
  }

  /** Adds a sample, evicting the oldest when full. */
  add(intervalMs: number): void {
    if (this.#samples.length < this.#capacity) {
      this.#samples.push(intervalMs);
    } else {
      const evicted = this.#samples[this.#next] ?? 0;
      this.#samples[this.#next] = intervalMs;
      this.#next = (this.#next + 1) % this.#capacity;
      this.#sum -= evicted;
      this.#sumOfSquares -= evicted * evicted;
    }
    this.#sum += intervalMs;
    this.#sumOfSquares += intervalMs * intervalMs;
    if (++this.#sinceRecompute >= this.#capacity) this.#recompute();
  }

  #recompute(): void {
    this.#sinceRecompute = 0;
    this.#sum = 0;
    this.#sumOfSquares = 0;
    for (const sample of this.#samples) {
      this.#sum += sample;
      this.#sumOfSquares += sample * sample;
    }
  }
}
