/**
 * A status view: the ordered columns of one listing (JSON key and text header) and how a row
 * becomes text. The CLI and the web API render every listing through here, so both show the
 * same columns from the same rows (behaviour.md §5, §6.3).
 */
import { NodepoolError } from "../errors.ts";
import { cellText, formatAge, renderTable } from "./table.ts";

export interface Column<R> {
  readonly key: keyof R & string;
  readonly header: string;
  /** Text for the table when it differs from the JSON value (epoch ages shown as `DD:HH:MM:SS`). */
  readonly text?: (row: R, now: number) => string;
}

export interface View<R> {
  /** Endpoint and command name, e.g. `node-list`. */
  readonly name: string;
  readonly columns: readonly Column<R>[];
}

/** `fields` named none of a view's columns: the table would have nothing to show. */
export class UnknownFieldsError extends NodepoolError {
  readonly code = "status.unknown-fields";
  override readonly exitCode = 1;
}

/** An `age` column holding the epoch of `state_time`, shown in tables as the time since then. */
export function epochAgeColumn<R extends { readonly age: number }>(header = "Age"): Column<R> {
  return { key: "age", header, text: (row, now) => formatAge(row.age, now) };
}

/**
 * The columns to show: all, or those named in `fields` in the view's own order (unknown names
 * ignored, as the reference does; naming none that exist is an error).
 */
export function selectColumns<R>(view: View<R>, fields?: readonly string[]): readonly Column<R>[] {
  if (fields === undefined) return view.columns;
  const wanted = new Set(fields);
  const columns = view.columns.filter((c) => wanted.has(c.key));
  if (columns.length === 0) {
    throw new UnknownFieldsError(`none of the fields ${fields.join(",")} exist in ${view.name}; its fields are ${view.columns.map((c) => c.key).join(",")}`);
  }
  return columns;
}

export function renderText<R>(view: View<R>, rows: readonly R[], options: { fields?: readonly string[]; now: number }): string {
  const columns = selectColumns(view, options.fields);
  return renderTable(
    columns.map((c) => c.header),
    rows.map((row) => columns.map((c) => (c.text ? c.text(row, options.now) : cellText(row[c.key])))),
  );
}

/** The JSON of a listing: always an array of objects with every key, whatever `fields` says. */
export function renderJson<R>(rows: readonly R[]): string {
  return JSON.stringify(rows);
}
