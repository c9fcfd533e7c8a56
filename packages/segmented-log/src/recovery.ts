import { CorruptionError, joinDiskPath, type Disk, type DiskFile } from "@pods/core-interfaces";
import { SegmentGapError } from "./errors.ts";
import type { ResolvedOptions } from "./options.ts";
import {
  encodeSegmentHeader,
  recordHeaderBytes,
  segmentHeaderFrameBytes,
  type LogRecord,
} from "./record-format.ts";
import { scanSegment, salvageRecords, type Damage } from "./segment-scan.ts";
import { isTempSegmentFileName, parseSegmentFileName, segmentFileName } from "./segment-name.ts";
import { Segment } from "./segment.ts";

/** A torn tail that open cut off the last segment. */
export interface TornTail {
  /** The segment file. */
  readonly file: string;
  /** Where the cut was made: the end of the last whole record. */
  readonly offset: number;
  /** How many bytes were cut. */
  readonly bytesCut: number;
  /** `true` when the cut bytes were all zeros (unused space, nothing was lost). */
  readonly zeroFilled: boolean;
}

/** What a repair (`repair: "truncate-at-corruption"`) cut. */
export interface RepairReport {
  /** The segment file where the damage was found. */
  readonly file: string;
  /** Where in that file the log was cut. */
  readonly offset: number;
  /** The index of the first record lost (the one the damage hit). */
  readonly index: number;
  /** What was wrong. */
  readonly problem: string;
  /**
   * The records after the cut that still had a valid checksum, in index order (bodies copied).
   * Records whose bytes were damaged are missing from it.
   */
  readonly lostRecords: readonly LogRecord[];
}

/** What open found and did. */
export interface RecoveryReport {
  /** `true` when the directory held no segment and open created an empty log. */
  readonly created: boolean;
  /** How many records open verified (and handed to `onRecord`). */
  readonly records: number;
  /** The torn tail cut off the last segment, if there was one. */
  readonly tornTail: TornTail | undefined;
  /**
   * Files open removed: this log's leftover temporary files, and a last segment that a crash
   * left without a complete header (a roll cut short).
   */
  readonly removedFiles: readonly string[];
  /** What a repair cut, if open repaired damage. */
  readonly repair: RepairReport | undefined;
}

/** The segments open established, with the active one's handle open. @internal */
export interface Recovered {
  readonly segments: Segment[];
  readonly report: RecoveryReport;
}

/** Creates a segment file holding only its header, synced. @internal */
export async function createEmptySegment(
  disk: Disk,
  options: ResolvedOptions,
  baseIndex: number,
  previousGeneration: number,
  path = joinDiskPath(options.dir, segmentFileName(baseIndex)),
): Promise<{ segment: Segment; file: DiskFile }> {
  const segment = new Segment(
    options.dir,
    baseIndex,
    previousGeneration,
    options.indexIntervalBytes,
  );
  const file = await disk.open(path, { create: true });
  await file.truncate(0);
  await file.write(0, encodeSegmentHeader({ baseIndex, previousGeneration }));
  await file.sync();
  segment.size = segmentHeaderFrameBytes;
  return { segment, file };
}

/**
 * Opens the log in `options.dir`: removes leftover temporary files, scans every segment in index
 * order (checksums, index continuity, the chain of bases), cuts a torn tail off the last one, and
 * either throws `CorruptionError` at damage or, in repair mode, cuts there. @internal
 */
export async function recover(
  disk: Disk,
  options: ResolvedOptions,
  onRecord: ((record: LogRecord) => void) | undefined,
): Promise<Recovered> {
  const { dir } = options;
  await disk.mkdir(dir);
  const names = await disk.list(dir);
  const removedFiles: string[] = [];
  for (const name of names.filter(isTempSegmentFileName)) {
    await disk.remove(joinDiskPath(dir, name));
    removedFiles.push(joinDiskPath(dir, name));
  }
  const bases = names
    .map(parseSegmentFileName)
    .filter((base): base is number => base !== null)
    .sort((a, b) => a - b);
  const segments: Segment[] = [];
  let records = 0;
  let tornTail: TornTail | undefined;
  let repair: RepairReport | undefined;

  const damageAt = async (
    position: number,
    file: DiskFile | undefined,
    partial: Segment | undefined,
    damage: Damage,
    error: CorruptionError,
  ): Promise<void> => {
    await file?.close();
    if (options.repair === undefined) throw error;
    const repaired = await repairAt(disk, options, bases, position, partial, damage);
    for (const path of repaired.removed) removedFiles.push(path);
    repair = repaired.report;
    if (partial !== undefined && damage.offset > segmentHeaderFrameBytes - 1)
      segments.push(partial);
  };

  for (let position = 0; position < bases.length; position++) {
    const baseIndex = bases[position]!;
    const path = joinDiskPath(dir, segmentFileName(baseIndex));
    const previous = segments.at(-1);
    if (previous !== undefined && baseIndex !== previous.lastIndex + 1) {
      const gap = baseIndex > previous.lastIndex + 1;
      const [from, to] = gap
        ? [previous.lastIndex + 1, baseIndex - 1]
        : [baseIndex, previous.lastIndex];
      const problem = gap
        ? `Indexes ${from} to ${to} are in no segment: the segment file holding them is missing ` +
          `(the next file is ${path})`
        : `Segments overlap: ${path} starts at ${baseIndex}, but ${previous.path} ends at ${previous.lastIndex}`;
      const error = new SegmentGapError(
        `${problem}. Restore the file from a backup, or open with repair: "truncate-at-corruption" to cut the log at ${from}`,
        from,
        to,
        path,
      );
      await damageAt(position, undefined, undefined, { offset: 0, index: from, problem }, error);
      break;
    }
    const file = await disk.open(path);
    const isLast = position === bases.length - 1;
    const outcome = await scanSegment({
      file,
      dir,
      baseIndex,
      isLast,
      previousGeneration: previous?.lastGeneration,
      options,
      onRecord,
    }).catch(async (error: unknown) => {
      await file.close();
      throw error;
    });
    if (outcome.kind === "unfinished") {
      await file.close();
      await disk.remove(path);
      removedFiles.push(path);
      break;
    }
    if (outcome.kind === "damaged") {
      const { damage } = outcome;
      const error = new CorruptionError(
        `${damage.problem}. Restore the file from a backup, or open with repair: ` +
          `"truncate-at-corruption" to cut the log there and get the lost records back`,
        { file: path, offset: damage.offset, index: damage.index },
      );
      if (outcome.segment !== undefined) records += outcome.segment.records;
      await damageAt(position, file, outcome.segment, damage, error);
      break;
    }
    const { segment } = outcome;
    if (!isLast && segment.records === 0) {
      const problem = "a sealed segment holds no records";
      const error = new CorruptionError(
        `${problem}. Restore the file from a backup, or open with repair: "truncate-at-corruption"`,
        { file: path, offset: segment.size, index: baseIndex },
      );
      await damageAt(position, file, undefined, { offset: 0, index: baseIndex, problem }, error);
      break;
    }
    records += segment.records;
    if (isLast) {
      segment.file = file;
      if (outcome.tail !== undefined) {
        await file.truncate(outcome.tail.offset);
        await file.sync();
        options.logger?.[outcome.tail.zeroFilled ? "info" : "warn"]("segmented-log.tail-cut", {
          file: path,
          offset: outcome.tail.offset,
          bytesCut: outcome.tail.bytes,
          zeroFilled: outcome.tail.zeroFilled,
        });
        tornTail = {
          file: path,
          offset: outcome.tail.offset,
          bytesCut: outcome.tail.bytes,
          zeroFilled: outcome.tail.zeroFilled,
        };
      }
    } else {
      segment.sealed = true;
      await file.close();
    }
    segments.push(segment);
  }

  let created = false;
  const last = segments.at(-1);
  if (last === undefined) {
    const fresh = await createEmptySegment(
      disk,
      options,
      options.startIndex,
      options.previousGeneration,
    );
    fresh.segment.file = fresh.file;
    segments.push(fresh.segment);
    created = repair === undefined;
  } else if (last.file === undefined) {
    last.sealed = false;
    last.file = await disk.open(last.path);
  }
  return { segments, report: { created, records, tornTail, removedFiles, repair } };
}

/**
 * Cuts the log at `damage` in segment number `position`: collects the records that still verify
 * after it, deletes the later segments (newest first), then cuts or deletes the damaged one.
 */
async function repairAt(
  disk: Disk,
  options: ResolvedOptions,
  bases: readonly number[],
  position: number,
  partial: Segment | undefined,
  damage: Damage,
): Promise<{ report: RepairReport; removed: string[] }> {
  const frameBytesMax = recordHeaderBytes + options.recordBytesMax;
  const pathOf = (at: number): string => joinDiskPath(options.dir, segmentFileName(bases[at]!));
  const lostRecords: LogRecord[] = [];
  for (let at = position; at < bases.length; at++) {
    const file = await disk.open(pathOf(at));
    const bytes = await file.read(0, await file.size());
    await file.close();
    const from = at === position ? damage.offset : 0;
    const above = lostRecords.at(-1)?.index ?? damage.index - 1;
    lostRecords.push(...salvageRecords(bytes, from, above, frameBytesMax));
  }
  const removed: string[] = [];
  for (let at = bases.length - 1; at > position; at--) {
    await disk.remove(pathOf(at));
    removed.push(pathOf(at));
  }
  const path = pathOf(position);
  if (partial !== undefined && damage.offset >= segmentHeaderFrameBytes) {
    const file = await disk.open(path);
    await file.truncate(damage.offset);
    await file.sync();
    await file.close();
  } else {
    await disk.remove(path);
    removed.push(path);
  }
  options.logger?.error("segmented-log.repaired", {
    file: path,
    offset: damage.offset,
    index: damage.index,
    problem: damage.problem,
    lostRecords: lostRecords.length,
  });
  const report = {
    file: path,
    offset: damage.offset,
    index: damage.index,
    problem: damage.problem,
    lostRecords,
  };
  return { report, removed };
}
