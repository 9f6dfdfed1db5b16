/**
 * `nodepool label-list` and `/label-list` (behaviour.md §6.3): every label some registered
 * launcher supports, sorted, once.
 */
import type { LauncherRecord, NodepoolZk } from "../zk/index.ts";
import type { View } from "./view.ts";

export interface LabelListRow {
  readonly label: string;
}

export const labelListView: View<LabelListRow> = {
  name: "label-list",
  columns: [{ key: "label", header: "Label" }],
};

export function labelListRows(launchers: readonly LauncherRecord[]): LabelListRow[] {
  const labels = new Set(launchers.flatMap((l) => l.supportedLabels));
  return [...labels].sort().map((label) => ({ label }));
}

export async function loadLabelList(zk: NodepoolZk): Promise<LabelListRow[]> {
  return labelListRows(await zk.getLaunchers());
}
