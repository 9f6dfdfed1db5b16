/**
 * The reference CLI's ASCII tables (behaviour.md §5.2): `+`/`-`/`|` borders, one space of
 * padding, every column left-aligned, width = longest of header and values. An empty table
 * prints the header between two borders and a closing border. No trailing newline.
 */
export function renderTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((header, i) => rows.reduce((width, row) => Math.max(width, (row[i] ?? "").length), header.length));
  const border = `+${widths.map((w) => "-".repeat(w + 2)).join("+")}+`;
  const line = (cells: readonly string[]): string => `|${widths.map((w, i) => ` ${(cells[i] ?? "").padEnd(w)} `).join("|")}|`;
  return [border, line(headers), border, ...rows.map(line), border].join("\n");
}

/** Time since `since` (epoch seconds) as `DD:HH:MM:SS`, truncated; days may exceed two digits. */
export function formatAge(since: number, now: number): string {
  let left = Math.max(0, Math.floor(now - since));
  const seconds = left % 60;
  left = Math.floor(left / 60);
  const minutes = left % 60;
  left = Math.floor(left / 60);
  const hours = left % 24;
  const days = Math.floor(left / 24);
  return [days, hours, minutes, seconds].map((n) => String(n).padStart(2, "0")).join(":");
}

/** A JSON value as a table cell: lists joined with `,`, null as `None`, numbers in decimal. */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) return "None";
  if (Array.isArray(value)) return value.map(cellText).join(",");
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}
