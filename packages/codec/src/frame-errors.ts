import {
  CorruptionError,
  type CorruptionLocation,
  type PodsErrorOptions,
} from "@pods/core-interfaces";

/**
 * A frame failed its CRC32C check: its length or payload bytes are not the ones written (a torn
 * write, bit rot, a bug on the sending side). `offset` is where the frame's header starts.
 */
export class FrameChecksumError extends CorruptionError {
  /** The stable, machine-readable name of this failure: `"FRAME_CHECKSUM"`. */
  override readonly code = "FRAME_CHECKSUM";
  /**
   * @param location - where the damaged frame's header starts (stream or file offset, file).
   * @param options - cause and outcome override.
   */
  constructor(location: CorruptionLocation = {}, options?: PodsErrorOptions) {
    super(
      "A frame failed its CRC32C check, so its bytes are damaged; stop reading at this frame and " +
        "repair: truncate a log's torn tail there, or drop the connection so the sender resends",
      location,
      options,
    );
  }
}

/**
 * A frame header claims a payload longer than the reader's `frameBytesMax`: the header is
 * damaged, or the writer allows larger frames than the reader. Raised as soon as the header is
 * seen, before any of the payload is buffered.
 */
export class FrameTooLargeError extends CorruptionError {
  /** The stable, machine-readable name of this failure: `"FRAME_TOO_LARGE"`. */
  override readonly code = "FRAME_TOO_LARGE";
  /** The payload length the header claims, in bytes. */
  readonly payloadBytes: number;
  /** The largest payload the reader accepts, in bytes. */
  readonly frameBytesMax: number;
  /**
   * @param payloadBytes - the payload length the header claims.
   * @param frameBytesMax - the reader's limit.
   * @param location - where the frame's header starts.
   * @param options - cause and outcome override.
   */
  constructor(
    payloadBytes: number,
    frameBytesMax: number,
    location: CorruptionLocation = {},
    options?: PodsErrorOptions,
  ) {
    super(
      `A frame header claims a ${payloadBytes}-byte payload, more than frameBytesMax ` +
        `(${frameBytesMax} bytes); if the writer legitimately sends larger frames, configure the ` +
        "same frameBytesMax on both sides, otherwise treat the data as corrupt from this frame on",
      location,
      options,
    );
    this.payloadBytes = payloadBytes;
    this.frameBytesMax = frameBytesMax;
  }
}

/**
 * The input ended inside a frame: the writer stopped (or crashed, or the connection dropped)
 * mid-frame. `offset` is where the partial frame's header starts.
 */
export class FrameTruncatedError extends CorruptionError {
  /** The stable, machine-readable name of this failure: `"FRAME_TRUNCATED"`. */
  override readonly code = "FRAME_TRUNCATED";
  /** How many bytes of the partial frame (header included) were received. */
  readonly bufferedBytes: number;
  /**
   * How many more bytes the frame needed, at least: exact once the 8-byte header was complete,
   * otherwise just what the header lacked.
   */
  readonly bytesNeeded: number;
  /**
   * @param bufferedBytes - bytes of the partial frame received.
   * @param bytesNeeded - bytes still missing (at least).
   * @param location - where the partial frame's header starts.
   * @param options - cause and outcome override.
   */
  constructor(
    bufferedBytes: number,
    bytesNeeded: number,
    location: CorruptionLocation = {},
    options?: PodsErrorOptions,
  ) {
    super(
      `The input ended inside a frame (${bufferedBytes} bytes received, at least ${bytesNeeded} ` +
        "missing); discard the partial frame: a log truncates it away, a connection is reopened " +
        "and the sender resends",
      location,
      options,
    );
    this.bufferedBytes = bufferedBytes;
    this.bytesNeeded = bytesNeeded;
  }
}
