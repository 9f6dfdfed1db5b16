/**
 * The reference CLI's ASCII tables (behaviour.md §5.2): `+`/`-`/`|` borders, one space of
 * padding, every column left-aligned, width = longest of header and values. An empty table
 * prints the header between two borders and a closing border. No trailing newline.
 */
export function renderTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  // Plain loops: a listing renders once per process, before any of this is optimised, and
  // closures per cell cost a 10,000-node `nodepool list` tens of milliseconds.
  const widths = headers.map((header) => header.length);
  for (const row of rows) {
    for (let i = 0; i < widths.length; i++) widths[i] = Math.max(widths[i] ?? 0, (row[i] ?? "").length);
  }
  const border = `+${widths.map((w) => "-".repeat(w + 2)).join("+")}+`;
  const lines = [border, tableLine(headers, widths), border];
  for (const row of rows) lines.push(tableLine(row, widths));
  lines.push(border);
  return lines.join("\n");
}

function tableLine(cells: readonly string[], widths: readonly number[]): string {
  let line = "|";
  for (let i = 0; i < widths.length; i++) line += ` ${(cells[i] ?? "").padEnd(widths[i] ?? 0)} |`;
  return line;
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
  return `${twoDigits(days)}:${twoDigits(hours)}:${twoDigits(minutes)}:${twoDigits(seconds)}`;
}

function twoDigits(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** A JSON value as a table cell: lists joined with `,`, null as `None`, numbers in decimal. */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) return "None";
  if (Array.isArray(value)) return value.map(cellText).join(",");
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}
