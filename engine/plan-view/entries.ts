/**
 * What `nodepool plan` and `nodepool apply` show: the launcher's and the builder's planned
 * actions as one list of entries, each with its group (the provider it touches, "images" for
 * builds, "all providers" for cluster-wide work such as min-ready), its marker (+ create,
 * - delete, ~ change), a short summary and the reason. The JSON output is this list.
 */
import type { BuilderAction } from "../builder/plan.ts";
import { describeBuilderAction } from "../builder/plan.ts";
import { describeAction, markerOf, type Action, type Marker } from "../reconcile/actions.ts";

export type { Marker };

export const IMAGES_GROUP = "images";
export const ALL_PROVIDERS_GROUP = "all providers";

interface EntryHead {
  group: string;
  marker: Marker;
  summary: string;
}

/** One planned action, flattened for machines: the action's own fields (kind, reason, ids) plus how it is shown. */
export type PlanEntry = EntryHead & ({ daemon: "launcher" } & Action | { daemon: "builder" } & BuilderAction);

/** `describeAction` prints "<marker> <summary> (<reason>)": the summary alone, for the JSON and the grouped text. */
function launcherSummary(action: Action, marker: Marker): string {
  const line = describeAction(action);
  const head = `${marker} `;
  const tail = ` (${action.reason})`;
  return line.startsWith(head) && line.endsWith(tail) ? line.slice(head.length, line.length - tail.length) : line;
}

/** `describeBuilderAction` prints "<summary>: <reason>". */
function builderSummary(action: BuilderAction): string {
  const line = describeBuilderAction(action);
  const tail = `: ${action.reason}`;
  return line.endsWith(tail) ? line.slice(0, line.length - tail.length) : line;
}

export function builderMarker(action: BuilderAction): Marker {
  return action.kind === "build" || action.kind === "upload" ? "+" : "-";
}

export function launcherEntry(action: Action): PlanEntry {
  const marker = markerOf(action);
  return { group: action.provider ?? ALL_PROVIDERS_GROUP, marker, summary: launcherSummary(action, marker), daemon: "launcher", ...action };
}

export function builderEntry(action: BuilderAction): PlanEntry {
  const group = action.kind === "build" || action.kind === "delete-build" ? IMAGES_GROUP : action.provider;
  return { group, marker: builderMarker(action), summary: builderSummary(action), daemon: "builder", ...action };
}

/** The entries of a whole plan, in the order the passes would take them: launcher first, then builder. */
export function planEntries(launcher: readonly Action[], builder: readonly BuilderAction[]): PlanEntry[] {
  return [...launcher.map(launcherEntry), ...builder.map(builderEntry)];
}
