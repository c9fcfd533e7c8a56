import { InvalidArgumentError, type Logger } from "@pods/core-interfaces";
import type { WriteAheadLog } from "@pods/write-ahead-log";
import type { ResolvedTriggers, SnapshotStateMachine } from "./options.ts";
import type { SnapshotMeta, SnapshotStore } from "./snapshot-store.ts";

/**
 * Decides when to snapshot and saves snapshots one after another: tracks the applied index and
 * what was applied since the last capture, captures the state synchronously at one applied index,
 * and saves it in order; `afterSave` (a cleaning pass) runs once each is durable. @internal
 */
export class SnapshotTaker {
  readonly #wal: WriteAheadLog;
  readonly #store: SnapshotStore;
  readonly #machine: SnapshotStateMachine;
  readonly #triggers: ResolvedTriggers;
  readonly #logger: Logger;
  readonly #afterSave: () => Promise<unknown>;
  #lastApplied: number;
  /** The index of the newest state captured (saved or being saved). */
  #capturedIndex: number;
  #bytesSinceCapture = 0;
  #saving: Promise<unknown> = Promise.resolve();
  #savesPending = 0;
  saved = 0;
  failed = 0;

  constructor(
    parts: {
      wal: WriteAheadLog;
      store: SnapshotStore;
      machine: SnapshotStateMachine;
      triggers: ResolvedTriggers;
      logger: Logger;
      afterSave: () => Promise<unknown>;
    },
    lastApplied: number,
  ) {
    this.#wal = parts.wal;
    this.#store = parts.store;
    this.#machine = parts.machine;
    this.#triggers = parts.triggers;
    this.#logger = parts.logger;
    this.#afterSave = parts.afterSave;
    this.#lastApplied = lastApplied;
    this.#capturedIndex = this.#savedIndex;
  }

  get lastApplied(): number {
    return this.#lastApplied;
  }

  get #savedIndex(): number {
    return this.#store.latest()?.lastIncludedIndex ?? 0;
  }

  /** Notes entries applied up to `index`; starts a snapshot in the background when one is due. */
  noteApplied(index: number, payloadBytes: number): void {
    if (!Number.isSafeInteger(index) || index < this.#lastApplied || index > this.#wal.lastIndex) {
      throw new InvalidArgumentError(
        `noteApplied(${String(index)}) needs an index from lastApplied ${this.#lastApplied} to ` +
          `the log's last index ${this.#wal.lastIndex}.`,
      );
    }
    if (!Number.isFinite(payloadBytes) || payloadBytes < 0) {
      throw new InvalidArgumentError(
        `payloadBytes must be a finite number >= 0, got ${String(payloadBytes)}.`,
      );
    }
    this.#lastApplied = index;
    this.#bytesSinceCapture += payloadBytes;
    const { snapshotEveryEntries, snapshotEveryBytes } = this.#triggers;
    const due =
      index - this.#capturedIndex >= snapshotEveryEntries ||
      (index > this.#capturedIndex && this.#bytesSinceCapture >= snapshotEveryBytes);
    if (due && this.#savesPending === 0) {
      this.snapshot().catch(() => undefined); // counted and logged by snapshot()
    }
  }

  /** Captures the state at `lastApplied` now and saves it after the saves before it. */
  snapshot(): Promise<SnapshotMeta | undefined> {
    const index = this.#lastApplied;
    if (index <= this.#capturedIndex) return this.#saving.then(() => this.#store.latest());
    const generation = this.#wal.generationAt(index);
    const captured = this.#machine.capture(index);
    if (typeof captured !== "object" || captured === null) {
      throw new InvalidArgumentError("capture() must return { state, membership? }.");
    }
    this.#capturedIndex = index;
    this.#bytesSinceCapture = 0;
    this.#savesPending++;
    const run = this.#saving.then(async () => {
      if (index <= this.#savedIndex) return this.#store.latest(); // an install overtook it
      const meta = await this.#store.save({
        lastIncludedIndex: index,
        lastIncludedGeneration: generation,
        state: captured.state,
        ...(captured.membership === undefined ? {} : { membership: captured.membership }),
      });
      this.saved++;
      await this.#afterSave();
      return meta;
    });
    this.#saving = run.then(
      () => {
        this.#savesPending--;
      },
      (error: unknown) => {
        this.#savesPending--;
        this.failed++;
        if (this.#capturedIndex === index) this.#capturedIndex = this.#savedIndex;
        this.#logger.warn("low-water-mark.snapshot-failed", { index, error });
      },
    );
    return run;
  }

  /** Notes that the state was replaced by a snapshot at `index` (an install). */
  installed(index: number): void {
    this.#lastApplied = index;
    this.#capturedIndex = Math.max(this.#capturedIndex, index);
    this.#bytesSinceCapture = 0;
  }

  /** Resolves once the saves started so far have ended. */
  async idle(): Promise<void> {
    await this.#saving;
  }
}
