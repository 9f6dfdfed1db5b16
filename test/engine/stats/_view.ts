import { EventEmitter } from "node:events";
import type { LauncherCounted, NodeCounted } from "../../../engine/stats/node-gauges.ts";
import type { NodeStatsView } from "../../../engine/stats/stats-worker.ts";

/** A node view whose contents a test sets, standing in for a launcher's watched caches. */
export class MemoryView implements NodeStatsView {
  private readonly changes = new EventEmitter();
  private nodes: NodeCounted[] = [];

  constructor(private readonly launchers: LauncherCounted[]) {}

  set(nodes: NodeCounted[]): void {
    this.nodes = nodes;
    this.changes.emit("change");
  }

  snapshot(): { nodes: Iterable<NodeCounted>; launchers: Iterable<LauncherCounted> } {
    return { nodes: this.nodes, launchers: this.launchers };
  }

  onChange(listener: () => void): () => void {
    this.changes.on("change", listener);
    return () => this.changes.off("change", listener);
  }
}
