import { TimeoutError, type Cancel, type Clock, type Scheduler } from "@pods/core-interfaces";

interface HeldProposal<R> {
  readonly command: Uint8Array;
  readonly resolve: (result: R | Promise<R>) => void;
  readonly reject: (error: unknown) => void;
  /** When it gives up waiting, in monotonic ms. */
  readonly dueMs: number;
}

/** What {@link HeldProposals} needs: time, and how long a proposal may wait. */
export interface HeldProposalsOptions {
  readonly clock: Clock;
  readonly scheduler: Scheduler;
  /** How long a proposal waits for the write in flight before it fails with `TimeoutError`. */
  readonly timeoutMs: number;
}

/**
 * Commands proposed while the leader's write is in flight. They enter the log together when the
 * write is done, so they reach each follower in one append and one follower write, instead of
 * leaving in pieces with whatever message happens to wake the leader meanwhile. A write that
 * never finishes (a stalled disk) does not hold them forever: they time out as proposals in the
 * log do, with one timer for the oldest rather than one per proposal.
 */
export class HeldProposals<R> {
  readonly #options: HeldProposalsOptions;
  #held: HeldProposal<R>[] = [];
  #bytes = 0;
  #cancelTimer: Cancel | undefined;

  /** @param options - clock, scheduler and timeout. */
  constructor(options: HeldProposalsOptions) {
    this.#options = options;
  }

  /** Bytes of the commands held. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Holds `command`; the promise settles as {@link HeldProposals.release}'s `enter` says. */
  hold(command: Uint8Array): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      const dueMs = this.#options.clock.monotonicMs() + this.#options.timeoutMs;
      this.#held.push({ command, resolve, reject, dueMs });
      this.#bytes += command.length;
      this.#cancelTimer ??= this.#arm(dueMs);
    });
  }

  /**
   * Hands every held command, in the order proposed, to `enter`, which appends them and returns
   * one result promise per command; each held proposal follows its own. When `enter` throws
   * (nothing was appended), every held proposal fails with that error.
   */
  release(enter: (commands: Uint8Array[]) => Promise<R>[]): void {
    const held = this.#takeAll();
    if (held.length === 0) return;
    let results: Promise<R>[];
    try {
      results = enter(held.map((proposal) => proposal.command));
    } catch (error) {
      for (const proposal of held) proposal.reject(error);
      return;
    }
    held.forEach((proposal, at) => proposal.resolve(results[at]!));
  }

  /** Fails every held proposal with `error` (none of them was appended). */
  failAll(error: unknown): void {
    for (const proposal of this.#takeAll()) proposal.reject(error);
  }

  #takeAll(): HeldProposal<R>[] {
    const held = this.#held;
    this.#held = [];
    this.#bytes = 0;
    this.#cancelTimer?.();
    this.#cancelTimer = undefined;
    return held;
  }

  #arm(dueMs: number): Cancel {
    const delayMs = Math.max(0, Math.ceil(dueMs - this.#options.clock.monotonicMs()));
    return this.#options.scheduler.after(delayMs, () => this.#expire());
  }

  /** Fails the proposals whose time is up (the oldest ones: all wait alike) and re-arms. */
  #expire(): void {
    this.#cancelTimer = undefined;
    const now = this.#options.clock.monotonicMs();
    let count = 0;
    while (count < this.#held.length && this.#held[count]!.dueMs <= now) count++;
    const expired = this.#held.splice(0, count);
    for (const proposal of expired) {
      this.#bytes -= proposal.command.length;
      proposal.reject(
        new TimeoutError("a proposal waiting for the write in flight", this.#options.timeoutMs),
      );
    }
    const next = this.#held[0];
    if (next !== undefined) this.#cancelTimer = this.#arm(next.dueMs);
  }
}
