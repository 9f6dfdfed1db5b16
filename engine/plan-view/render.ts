/**
 * The text of `nodepool plan`: entries grouped (providers in the order they first appear,
 * then "all providers", then "images"), one line per action with its marker and reason, and
 * a count line; "No changes." when there is nothing to do.
 */
import { ALL_PROVIDERS_GROUP, IMAGES_GROUP, type Marker, type PlanEntry } from "./entries.ts";

export const NO_CHANGES = "No changes.";

const LAST_GROUPS = [ALL_PROVIDERS_GROUP, IMAGES_GROUP];

function groupTitle(group: string): string {
  if (group === ALL_PROVIDERS_GROUP) return "All providers:";
  if (group === IMAGES_GROUP) return "Images:";
  return `Provider ${group}:`;
}

/** Entries by group, in display order; plan order within a group. */
export function groupEntries(entries: readonly PlanEntry[]): Map<string, PlanEntry[]> {
  const groups = new Map<string, PlanEntry[]>();
  for (const entry of entries) {
    const list = groups.get(entry.group);
    if (list) list.push(entry);
    else groups.set(entry.group, [entry]);
  }
  const rank = (group: string): number => LAST_GROUPS.indexOf(group);
  return new Map([...groups].sort(([a], [b]) => rank(a) - rank(b)));
}

/** One action as a line: "+ request 2 small nodes (min-ready 3, 1 ready: launch 2)". */
export function entryLine(entry: PlanEntry): string {
  return `${entry.marker} ${entry.summary} (${entry.reason})`;
}

export function countLine(entries: readonly PlanEntry[]): string {
  const count = (marker: Marker): number => entries.filter((e) => e.marker === marker).length;
  return `Plan: ${count("+")} to create, ${count("~")} to change, ${count("-")} to delete.`;
}

export function renderPlan(entries: readonly PlanEntry[]): string {
  if (entries.length === 0) return `${NO_CHANGES}\n`;
  const blocks = [...groupEntries(entries)].map(([group, list]) => [groupTitle(group), ...list.map((e) => `  ${entryLine(e)}`)].join("\n"));
  return `${blocks.join("\n\n")}\n\n${countLine(entries)}\n`;
}
