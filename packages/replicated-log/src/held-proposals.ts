interface HeldProposal<R> {
  readonly command: Uint8Array;
  readonly resolve: (result: R | Promise<R>) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Commands proposed while the leader's write is in flight. They enter the log together when the
 * write is done, so they reach each follower in one append and one follower write, instead of
 * leaving in pieces with whatever message happens to wake the leader meanwhile.
 */
export class HeldProposals<R> {
  #held: HeldProposal<R>[] = [];
  #bytes = 0;

  /** Bytes of the commands held. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Holds `command`; the promise settles as {@link HeldProposals.release}'s `enter` says. */
  hold(command: Uint8Array): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.#held.push({ command, resolve, reject });
      this.#bytes += command.length;
    });
  }

  /**
   * Hands every held command, in the order proposed, to `enter`, which appends them and returns
   * one result promise per command; each held proposal follows its own. When `enter` throws
   * (nothing was appended), every held proposal fails with that error.
   */
  release(enter: (commands: Uint8Array[]) => Promise<R>[]): void {
    if (this.#held.length === 0) return;
    const held = this.#held;
    this.#held = [];
    this.#bytes = 0;
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
    const held = this.#held;
    this.#held = [];
    this.#bytes = 0;
    for (const proposal of held) proposal.reject(error);
  }
}
