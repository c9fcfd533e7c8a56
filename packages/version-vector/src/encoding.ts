import { ByteReader, ByteWriter, createMsgpackCodec } from "@pods/codec";
import {
  assertNodeId,
  DecodeError,
  InvalidArgumentError,
  nodeIdLengthMax,
  type Codec,
  type NodeId,
} from "@pods/core-interfaces";
import { contextUnchecked, exceptionsProblem, type CausalContext } from "./causal-context.ts";
import { compareDots, formatDot, type Dot } from "./dot.ts";
import { createSibling, historyOf, type Sibling, type SiblingMode } from "./siblings.ts";
import {
  defaultDecodeEntriesMax,
  vectorFromSorted,
  vectorParts,
  type VersionVector,
} from "./version-vector.ts";

// Binary forms. Every integer is an unsigned LEB128 varint; a node id is its length and ASCII
// characters. Each form starts with a one-byte tag, so one form is never decoded as another.
//
//   vector   'v' n (node counter)*n                      entries sorted by node, counters >= 1
//   context  'c' <vector body> e (entry counter)*e       exceptions: index of their node's entry
//   siblings 's' k node*k  m sibling*m                   a node table, then siblings in dot order
//   sibling  dotNode dotCounter wallMs  n (node counter)*n  e (entry counter)*e  valueLength value
//            (nodes are indexes into the node table)

const vectorTag = 0x76;
const contextTag = 0x63;
const siblingsTag = 0x73;

function writeVectorBody(writer: ByteWriter, vector: VersionVector): void {
  const [nodes, counters] = vectorParts(vector);
  writer.uint(nodes.length);
  for (let index = 0; index < nodes.length; index++) {
    writer.ascii(nodes[index] as NodeId);
    writer.uint(counters[index] as number);
  }
}

function readVectorBody(reader: ByteReader, entriesMax: number): VersionVector {
  const size = reader.count("the entry count", entriesMax);
  const nodes: NodeId[] = [];
  const counters: number[] = [];
  for (let index = 0; index < size; index++) {
    const node = readNodeId(reader, "an entry's node");
    const counter = reader.uint("an entry's counter");
    const previous = nodes[index - 1];
    if (previous !== undefined && !(previous < node)) {
      throw reader.error(
        `entry ${index}: node "${node}" is not after "${previous}" (sorted, unique)`,
      );
    }
    if (counter < 1) throw reader.error(`entry ${index}: counter 0 (zero counters are left out)`);
    nodes.push(node);
    counters.push(counter);
  }
  return vectorFromSorted(nodes, counters);
}

/** Reads a node id (written with `writer.ascii`) and checks it. */
function readNodeId(reader: ByteReader, what: string): NodeId {
  const start = reader.offset;
  const node = reader.ascii(what, nodeIdLengthMax);
  try {
    assertNodeId(node, what);
  } catch (error) {
    throw reader.error((error as Error).message, start);
  }
  return node;
}

function expectTag(reader: ByteReader, tag: number, form: string): void {
  if (reader.u8("the tag") !== tag) throw new DecodeError(`not a ${form} (wrong tag byte)`);
}

/**
 * The binary form of a {@link VersionVector} (see the package README for the layout); decoding
 * accepts only the canonical form, at most `defaultDecodeEntriesMax` entries.
 */
export const versionVectorCodec: Codec<VersionVector> = {
  encode(vector) {
    const writer = new ByteWriter();
    writer.u8(vectorTag);
    writeVectorBody(writer, vector);
    return writer.finish();
  },
  decode(bytes) {
    const reader = new ByteReader(bytes);
    expectTag(reader, vectorTag, "version vector");
    const vector = readVectorBody(reader, defaultDecodeEntriesMax);
    reader.end();
    return vector;
  },
};

/** The binary form of a {@link CausalContext}; decoding accepts only the canonical form. */
export const causalContextCodec: Codec<CausalContext> = {
  encode(context) {
    const writer = new ByteWriter();
    writer.u8(contextTag);
    writeVectorBody(writer, context.vector);
    writeExceptions(
      writer,
      context,
      [...context.vector.entries()].map(([node]) => node),
    );
    return writer.finish();
  },
  decode(bytes) {
    const reader = new ByteReader(bytes);
    expectTag(reader, contextTag, "causal context");
    const vector = readVectorBody(reader, defaultDecodeEntriesMax);
    const context = readExceptions(
      reader,
      vector,
      [...vector.entries()].map(([node]) => node),
    );
    reader.end();
    return context;
  },
};

/** Writes a context's exceptions, each as the index of its node in `nodes` and its counter. */
function writeExceptions(writer: ByteWriter, context: CausalContext, nodes: readonly NodeId[]) {
  writer.uint(context.exceptions.length);
  for (const dot of context.exceptions) {
    writer.uint(nodes.indexOf(dot.node));
    writer.uint(dot.counter);
  }
}

function readExceptions(reader: ByteReader, vector: VersionVector, nodes: readonly NodeId[]) {
  const count = reader.count("the exception count", defaultDecodeEntriesMax);
  const exceptions: Dot[] = [];
  for (let index = 0; index < count; index++) {
    const node = nodes[reader.uint(`exception ${index} node`, { max: nodes.length - 1 })] as NodeId;
    exceptions.push({ node, counter: reader.uint(`exception ${index} counter`) });
  }
  const problem = exceptionsProblem(vector, exceptions);
  if (problem !== undefined) throw reader.error(problem);
  return contextUnchecked(vector, exceptions);
}

/** Options of {@link createSiblingsCodec}. */
export interface SiblingsCodecOptions<V> {
  /** Encodes the values. Default: MessagePack (`createMsgpackCodec` of `@pods/codec`). */
  readonly valueCodec?: Codec<V>;
  /** The rules the decoder checks that no sibling supersedes another by. Default `"dotted"`. */
  readonly mode?: SiblingMode;
  /** The most siblings accepted when decoding. Default 100. */
  readonly siblingsMax?: number;
}

/** The default of {@link SiblingsCodecOptions.siblingsMax}. */
export const defaultDecodeSiblingsMax = 100;

/**
 * A codec for one key's siblings, as a replica stores or sends them. Node ids are written once in
 * a table and referred to by index. Decoding checks everything a store relies on: canonical order,
 * a context that never covers its own dot, no sibling superseded by another, the value codec's own
 * validation.
 *
 * @throws `InvalidArgumentError` for a bad option.
 */
export function createSiblingsCodec<V>(
  options: SiblingsCodecOptions<V> = {},
): Codec<readonly Sibling<V>[]> {
  const valueCodec = options.valueCodec ?? createMsgpackCodec<V>();
  const mode = options.mode ?? "dotted";
  const siblingsMax = options.siblingsMax ?? defaultDecodeSiblingsMax;
  if (!Number.isSafeInteger(siblingsMax) || siblingsMax < 1) {
    throw new InvalidArgumentError(`siblingsMax must be an integer >= 1, got ${siblingsMax}.`);
  }
  return {
    encode: (siblings) => encodeSiblings(siblings, valueCodec),
    decode: (bytes) => decodeSiblings(bytes, valueCodec, mode, siblingsMax),
  };
}

function encodeSiblings<V>(siblings: readonly Sibling<V>[], valueCodec: Codec<V>): Uint8Array {
  const table = new Set<NodeId>();
  for (const sibling of siblings) {
    table.add(sibling.dot.node);
    for (const [node] of sibling.context.vector.entries()) table.add(node);
  }
  const nodes = [...table].sort((a, b) => (a < b ? -1 : 1));
  const indexOf = new Map(nodes.map((node, index) => [node, index]));
  const writer = new ByteWriter();
  writer.u8(siblingsTag);
  writer.uint(nodes.length);
  for (const node of nodes) writer.ascii(node);
  writer.uint(siblings.length);
  for (const sibling of siblings) {
    if (!Number.isSafeInteger(sibling.wallMs) || sibling.wallMs < 0) {
      throw new InvalidArgumentError(
        `sibling ${formatDot(sibling.dot)} has wallMs ${sibling.wallMs}: use a safe integer >= 0.`,
      );
    }
    writer.uint(indexOf.get(sibling.dot.node) as number);
    writer.uint(sibling.dot.counter);
    writer.uint(sibling.wallMs);
    const entries = [...sibling.context.vector.entries()];
    writer.uint(entries.length);
    for (const [node, counter] of entries) {
      writer.uint(indexOf.get(node) as number);
      writer.uint(counter);
    }
    writeExceptions(
      writer,
      sibling.context,
      entries.map(([node]) => node),
    );
    writer.bytes(valueCodec.encode(sibling.value));
  }
  return writer.finish();
}

function decodeSiblings<V>(
  bytes: Uint8Array,
  valueCodec: Codec<V>,
  mode: SiblingMode,
  siblingsMax: number,
): Sibling<V>[] {
  const reader = new ByteReader(bytes);
  expectTag(reader, siblingsTag, "sibling list");
  const tableSize = reader.count("the node table size", defaultDecodeEntriesMax);
  const nodes: NodeId[] = [];
  for (let index = 0; index < tableSize; index++) {
    const node = readNodeId(reader, `table node ${index}`);
    const previous = nodes.at(-1);
    if (previous !== undefined && !(previous < node)) {
      throw reader.error(`table node "${node}" is not after "${previous}" (sorted, unique)`);
    }
    nodes.push(node);
  }
  const used = new Set<NodeId>();
  const count = reader.count("the sibling count", siblingsMax);
  const siblings: Sibling<V>[] = [];
  for (let index = 0; index < count; index++) {
    const what = `sibling ${index}`;
    const dot: Dot = {
      node: nodes[reader.uint(`${what} dot node`, { max: tableSize - 1 })] as NodeId,
      counter: reader.uint(`${what} dot counter`),
    };
    if (dot.counter < 1) throw reader.error(`${what} has dot counter 0`);
    const wallMs = reader.uint(`${what} wall time`);
    const size = reader.count(`${what} entry count`, tableSize);
    const entryNodes: NodeId[] = [];
    const counters: number[] = [];
    let previousIndex = -1;
    for (let entry = 0; entry < size; entry++) {
      const nodeIndex = reader.uint(`${what} entry ${entry} node`, { max: tableSize - 1 });
      const counter = reader.uint(`${what} entry ${entry} counter`);
      if (nodeIndex <= previousIndex || counter < 1) {
        throw reader.error(`${what} entry ${entry} is out of order or has counter 0`);
      }
      previousIndex = nodeIndex;
      entryNodes.push(nodes[nodeIndex] as NodeId);
      counters.push(counter);
    }
    const vector = vectorFromSorted(entryNodes, counters);
    const context = readExceptions(reader, vector, entryNodes);
    const value = decodeValue(reader, valueCodec, what);
    const previous = siblings.at(-1);
    if (previous !== undefined && compareDots(previous.dot, dot) >= 0) {
      throw reader.error(`${what} dot ${formatDot(dot)} is not after ${formatDot(previous.dot)}`);
    }
    if (context.covers(dot)) throw reader.error(`${what} context covers its own dot`);
    used.add(dot.node);
    for (const node of entryNodes) used.add(node);
    siblings.push(createSibling(value, dot, context, wallMs));
  }
  reader.end();
  if (used.size !== nodes.length) throw new DecodeError("the node table lists unused nodes");
  checkNoneSuperseded(siblings, mode);
  return siblings;
}

function decodeValue<V>(reader: ByteReader, valueCodec: Codec<V>, what: string): V {
  const bytes = reader.bytes(`${what} value`);
  try {
    return valueCodec.decode(bytes);
  } catch (error) {
    throw reader.error(`${what} value: ${(error as Error).message}`);
  }
}

function checkNoneSuperseded(siblings: readonly Sibling<unknown>[], mode: SiblingMode): void {
  for (const older of siblings) {
    for (const newer of siblings) {
      if (older === newer) continue;
      const superseded =
        mode === "dotted"
          ? historyOf(newer).covers(older.dot)
          : newer.vector.descends(older.vector);
      if (superseded) {
        throw new DecodeError(
          `sibling ${formatDot(older.dot)} is superseded by sibling ${formatDot(newer.dot)}`,
        );
      }
    }
  }
}
