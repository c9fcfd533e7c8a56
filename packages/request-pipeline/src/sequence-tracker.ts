import { invariant } from "@pods/core-interfaces";
import { DuplicateSequenceError, OutOfOrderSequenceError } from "./errors.ts";
import { integerIn } from "./options.ts";

/** Options of a {@link SequenceTracker}. */
export interface SequenceTrackerOptions {
  /**
   * Streams remembered at most; beyond it the least recently used one is forgotten (its sender's
   * next request is refused as a gap, and the sender starts a new epoch). Default 1024.
   */
  readonly streamsMax?: number;
  /**
   * Answers kept per stream for duplicates: at least the senders' `inflightMax`, so that a window
   * resent after a lost connection is answered from the cache. Default 64.
   */
  readonly responsesCachedMax?: number;
}

/** The default `streamsMax`: 1024 streams. */
export const defaultStreamsMax = 1_024;
/** The default `responsesCachedMax`: 64 answers per stream. */
export const defaultResponsesCachedMax = 64;

/**
 * What to do with a sequenced request: `apply` it (then call {@link SequenceTracker.complete}), or
 * answer it as a `duplicate` with the answer it got the first time.
 *
 * @typeParam A - what the tracker caches as an answer.
 */
export type Admission<A> =
  { readonly kind: "apply" } | { readonly kind: "duplicate"; readonly answer: A };

/** Where a stream stands at the receiver (a snapshot). */
export interface TrackedStream {
  /** The stream's current epoch. */
  readonly epoch: number;
  /** The sequence number applied next. */
  readonly expected: number;
  /** Whether a request of it is being applied now. */
  readonly applying: boolean;
}

/** Counters of a {@link SequenceTracker}. */
export interface SequenceTrackerMetrics {
  /** Requests admitted and completed (applied once each). */
  readonly applied: number;
  /** Duplicates answered from the cache. */
  readonly duplicates: number;
  /** Requests refused because an earlier one is missing. */
  readonly refusedGaps: number;
  /** Requests refused because their epoch is older than the stream's. */
  readonly refusedStale: number;
  /** Duplicates refused because their answer had left the cache. */
  readonly refusedUncached: number;
  /** Streams forgotten to stay within `streamsMax`. */
  readonly evicted: number;
  /** Streams remembered now. */
  readonly streams: number;
}

interface StreamRecord<A> {
  epoch: number;
  expected: number;
  applying: boolean;
  /** Answer of sequence s at `s % responsesCachedMax`, for the last cached sequences. */
  answers: A[];
}

/**
 * The receiving half of ordered streams, without I/O: for each stream it knows the epoch and the
 * next sequence number expected, and the last answers. A request with the expected number is
 * applied; one below it is a duplicate, answered from the cache; one above it is refused with
 * {@link OutOfOrderSequenceError}, as is one of an older epoch. A newer epoch starts the stream
 * afresh at sequence 0. So request n + 1 is never applied before n, and nothing is applied twice.
 *
 * Use it from one consumer at a time (a `SingularUpdateQueue`, or the channel's request queue):
 * `admit` a request, apply it, `complete` it, and only then admit the stream's next.
 *
 * @typeParam A - what is cached as an answer (a response, or a response-or-error).
 */
export class SequenceTracker<A> {
  readonly #streamsMax: number;
  readonly #cachedMax: number;
  /** In least recently used order. */
  readonly #streams = new Map<string, StreamRecord<A>>();
  #applied = 0;
  #duplicates = 0;
  #refusedGaps = 0;
  #refusedStale = 0;
  #refusedUncached = 0;
  #evicted = 0;

  /**
   * @param options - bounds; see {@link SequenceTrackerOptions}.
   * @throws InvalidArgumentError for a bad option.
   */
  constructor(options: SequenceTrackerOptions = {}) {
    this.#streamsMax = integerIn("streamsMax", options.streamsMax ?? defaultStreamsMax, 1, 2 ** 24);
    this.#cachedMax = integerIn(
      "responsesCachedMax",
      options.responsesCachedMax ?? defaultResponsesCachedMax,
      1,
      2 ** 20,
    );
  }

  /**
   * Decides what to do with request `sequence` of `epoch` on `streamId`.
   *
   * @throws {@link OutOfOrderSequenceError} for a gap or an older epoch (not applied).
   * @throws {@link DuplicateSequenceError} for a duplicate whose answer left the cache.
   * @throws InvariantError while a request of the stream is still being applied.
   */
  admit(streamId: string, epoch: number, sequence: number): Admission<A> {
    let stream = this.#streams.get(streamId);
    invariant(
      stream?.applying !== true,
      () => `stream ${streamId} was admitted again before its last request completed`,
    );
    const received = { epoch, sequence };
    if (stream === undefined || epoch > stream.epoch) {
      if (sequence !== 0) {
        this.#refusedGaps++;
        throw new OutOfOrderSequenceError(streamId, received, { epoch, sequence: 0 });
      }
      stream = { epoch, expected: 0, applying: true, answers: [] };
      this.#touch(streamId, stream);
      return { kind: "apply" };
    }
    this.#touch(streamId, stream);
    const expected = { epoch: stream.epoch, sequence: stream.expected };
    if (epoch < stream.epoch) {
      this.#refusedStale++;
      throw new OutOfOrderSequenceError(streamId, received, expected);
    }
    if (sequence > stream.expected) {
      this.#refusedGaps++;
      throw new OutOfOrderSequenceError(streamId, received, expected);
    }
    if (sequence === stream.expected) {
      stream.applying = true;
      return { kind: "apply" };
    }
    const cached = Math.min(stream.expected, this.#cachedMax);
    if (stream.expected - sequence > cached) {
      this.#refusedUncached++;
      throw new DuplicateSequenceError(streamId, epoch, sequence, stream.expected - cached);
    }
    this.#duplicates++;
    return { kind: "duplicate", answer: stream.answers[sequence % this.#cachedMax] as A };
  }

  /**
   * Records the answer of the request `admit` let through; the stream expects the next sequence
   * number from now on.
   *
   * @throws InvariantError when that request was not admitted for applying.
   */
  complete(streamId: string, epoch: number, sequence: number, answer: A): void {
    const stream = this.#streams.get(streamId);
    invariant(
      stream !== undefined &&
        stream.applying &&
        stream.epoch === epoch &&
        stream.expected === sequence,
      () => `request ${sequence} of stream ${streamId} (epoch ${epoch}) was not admitted`,
    );
    stream.answers[sequence % this.#cachedMax] = answer;
    stream.expected++;
    stream.applying = false;
    this.#applied++;
  }

  /** Where `streamId` stands, or `undefined` for a stream not (or no longer) remembered. */
  stream(streamId: string): TrackedStream | undefined {
    const stream = this.#streams.get(streamId);
    if (stream === undefined) return undefined;
    return { epoch: stream.epoch, expected: stream.expected, applying: stream.applying };
  }

  /** A snapshot of the counters. */
  get metrics(): SequenceTrackerMetrics {
    return {
      applied: this.#applied,
      duplicates: this.#duplicates,
      refusedGaps: this.#refusedGaps,
      refusedStale: this.#refusedStale,
      refusedUncached: this.#refusedUncached,
      evicted: this.#evicted,
      streams: this.#streams.size,
    };
  }

  /** Marks `stream` as the most recently used, forgetting the least recently used beyond the bound. */
  #touch(streamId: string, stream: StreamRecord<A>): void {
    this.#streams.delete(streamId);
    this.#streams.set(streamId, stream);
    while (this.#streams.size > this.#streamsMax) {
      const [oldest] = this.#streams.keys();
      this.#streams.delete(oldest as string);
      this.#evicted++;
    }
  }
}
