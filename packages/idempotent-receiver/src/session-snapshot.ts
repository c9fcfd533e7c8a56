import { ByteWriter } from "@pods/codec";
import { readTimeMs, sessionBytesReader } from "./binary.ts";
import { SavedResponses } from "./saved-responses.ts";
import { sessionFormatVersion } from "./session-command.ts";

/** One client session as replicated state. */
export interface Session {
  /** The client id: the log index of the session's register command. */
  readonly clientId: number;
  /** Cluster time of the session's last command, in ms. */
  lastActiveMs: number;
  /** Requests at or below this sequence are refused (their responses are gone); 0 at first. */
  highestDiscarded: number;
  /** Saved responses by sequence. */
  readonly responses: SavedResponses;
}

/** Everything a {@link SessionStateMachine} snapshot holds. */
export interface SessionSnapshot {
  /** Index of the last applied command; 0 before any. */
  readonly lastAppliedIndex: number;
  /** Cluster time of the last applied command; 0 before any. */
  readonly clusterTimeMs: number;
  /** Sessions, least recently active first (the order expiry scans them in). */
  readonly sessions: readonly Session[];
  /** The wrapped state machine's snapshot. */
  readonly inner: Uint8Array;
}

/**
 * Encodes a snapshot canonically: sessions in the given order, each session's responses by
 * ascending sequence, so replicas with the same state produce the same bytes.
 */
export function encodeSessionSnapshot(snapshot: SessionSnapshot): Uint8Array {
  const writer = new ByteWriter()
    .u8(sessionFormatVersion)
    .uint(snapshot.lastAppliedIndex)
    .f64(snapshot.clusterTimeMs)
    .uint(snapshot.sessions.length);
  for (const session of snapshot.sessions) {
    writer.uint(session.clientId).f64(session.lastActiveMs).uint(session.highestDiscarded);
    const sequences = session.responses.sequences();
    writer.uint(sequences.length);
    for (const sequence of sequences) {
      writer.uint(sequence).bytes(session.responses.get(sequence) ?? new Uint8Array());
    }
  }
  return writer.bytes(snapshot.inner).finish();
}

/**
 * Decodes and validates a snapshot. Response bytes are copied, so the result does not alias
 * `bytes`.
 *
 * @throws `DecodeError` when `bytes` are not a valid snapshot.
 */
export function decodeSessionSnapshot(bytes: Uint8Array): SessionSnapshot {
  const reader = sessionBytesReader(bytes, "session snapshot");
  const version = reader.u8("format version");
  if (version !== sessionFormatVersion) {
    throw reader.error(
      `format version ${version} is not supported (this is ${sessionFormatVersion})`,
    );
  }
  const lastAppliedIndex = reader.uint("lastAppliedIndex");
  const clusterTimeMs = readTimeMs(reader, "clusterTimeMs");
  const sessionCount = reader.uint("session count");
  const sessions: Session[] = [];
  const clientIds = new Set<number>();
  let previousActiveMs = 0;
  for (let n = 0; n < sessionCount; n++) {
    const clientId = reader.uint("clientId", { min: 1 });
    if (clientId > lastAppliedIndex || clientIds.has(clientId)) {
      throw reader.error(`clientId ${clientId} is repeated or above lastAppliedIndex`);
    }
    clientIds.add(clientId);
    const lastActiveMs = readTimeMs(reader, "lastActiveMs");
    if (lastActiveMs < previousActiveMs || lastActiveMs > clusterTimeMs) {
      throw reader.error(`lastActiveMs ${lastActiveMs} is out of order or in the future`);
    }
    previousActiveMs = lastActiveMs;
    const highestDiscarded = reader.uint("highestDiscarded");
    const responseCount = reader.uint("response count");
    const responses = new SavedResponses();
    let previousSequence = highestDiscarded;
    for (let r = 0; r < responseCount; r++) {
      const sequence = reader.uint("sequence", { min: 1 });
      if (sequence <= previousSequence) {
        throw reader.error(`saved sequence ${sequence} is not above ${previousSequence}`);
      }
      previousSequence = sequence;
      responses.add(sequence, reader.bytes("response").slice());
    }
    sessions.push({ clientId, lastActiveMs, highestDiscarded, responses });
  }
  const inner = reader.bytes("inner snapshot");
  reader.end();
  return { lastAppliedIndex, clusterTimeMs, sessions, inner };
}
