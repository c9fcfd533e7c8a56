import {
  ClosedError,
  UnreachableError,
  type MessageHandler,
  type NodeId,
  type Transport,
} from "@pods/core-interfaces";
import { describe, expect, it } from "vitest";
import { RecordingLogger } from "../test/manual-time.ts";
import { countInboundMessages, sendToPeers } from "./transport-heartbeats.ts";

class FakeTransport implements Transport<string> {
  readonly localId = "athens";
  readonly sent: [NodeId, string][] = [];
  readonly refuse = new Set<NodeId>();
  closed = false;
  handlers: MessageHandler<string>[] = [];
  send(to: NodeId, message: string): void {
    if (this.closed) throw new ClosedError("fake transport");
    if (this.refuse.has(to)) throw new UnreachableError(to, "link refused");
    this.sent.push([to, message]);
  }
  onMessage(handler: MessageHandler<string>): () => void {
    this.handlers.push(handler);
    return () => {
      this.handlers = this.handlers.filter((registered) => registered !== handler);
    };
  }
  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
  deliver(from: NodeId, message: string): void {
    for (const handler of this.handlers) handler(from, message);
  }
}

describe("transport helpers", () => {
  it("countInboundMessages counts every message as a heartbeat from its sender, until stopped", () => {
    const transport = new FakeTransport();
    const heard: NodeId[] = [];
    const stop = countInboundMessages(transport, { heartbeatReceived: (peer) => heard.push(peer) });
    transport.deliver("byzantium", "append-entries");
    transport.deliver("cyrene", "vote");
    stop();
    transport.deliver("byzantium", "append-entries");
    expect(heard).toEqual(["byzantium", "cyrene"]);
  });

  it("sendToPeers sends one message per peer, asks for the peers at every beat and skips refused ones", () => {
    const transport = new FakeTransport();
    const logger = new RecordingLogger();
    let peers = ["byzantium", "cyrene"];
    const beat = sendToPeers({
      transport,
      peers: () => peers,
      message: (peer) => `beat for ${peer}`,
      logger,
    });
    beat();
    transport.refuse.add("byzantium");
    peers = ["byzantium", "cyrene", "delphi"];
    beat();
    expect(transport.sent).toEqual([
      ["byzantium", "beat for byzantium"],
      ["cyrene", "beat for cyrene"],
      ["cyrene", "beat for cyrene"],
      ["delphi", "beat for delphi"],
    ]);
    expect(logger.events("debug")).toEqual(["heartbeat.send-refused"]);
  });

  it("sendToPeers throws errors that are bugs rather than network faults", async () => {
    const transport = new FakeTransport();
    await transport.close();
    const beat = sendToPeers({ transport, peers: () => ["byzantium"], message: () => "beat" });
    expect(beat).toThrow(ClosedError);
  });
});
