/**
 * The operator's read side: the listings (rows, columns, ASCII table and JSON) that both the
 * `nodepool` CLI and the launcher's web API serve, and the admin operations on nodes and
 * providers (delete, hold, erase).
 *
 * - A listing is a `View` (ordered columns: JSON key and table header) plus a `loadX(zk)`
 *   returning its rows; `renderText(view, rows, { fields, now })` and `renderJson(rows)` print it.
 * - `STATUS_LISTINGS[name].render(zk, { json, fields, now })` reads and renders the listing a web
 *   endpoint and a CLI command of that name show.
 */
import type { NodepoolZk } from "../zk/index.ts";
import { dibImageListView, loadDibImageList } from "./dib-image-list.ts";
import { imageListView, loadImageList } from "./image-list.ts";
import { labelListView, loadLabelList } from "./label-list.ts";
import { loadNodeList, nodeListView } from "./node-list.ts";
import { loadRequestList, requestListView } from "./request-list.ts";
import { renderJson, renderText, selectColumns, type View } from "./view.ts";

export * from "./table.ts";
export * from "./view.ts";
export * from "./node-list.ts";
export * from "./image-list.ts";
export * from "./dib-image-list.ts";
export * from "./request-list.ts";
export * from "./label-list.ts";
export * from "./info.ts";
export * from "./erase.ts";
export * from "./node-admin.ts";

export interface LoadOptions {
  readonly now: number;
  /** Only `node-list` takes it. */
  readonly nodeId?: string;
}

export interface RenderListingOptions extends LoadOptions {
  /** JSON (every key) instead of the text table. */
  readonly json: boolean;
  /** Text only: the keys of the columns to show. */
  readonly fields?: readonly string[];
}

/** One listing, read from ZooKeeper and rendered as the CLI prints it and the web API serves it. */
export interface Listing {
  readonly name: string;
  render(zk: NodepoolZk, options: RenderListingOptions): Promise<string>;
}

function listing<R>(view: View<R>, load: (zk: NodepoolZk, options: LoadOptions) => Promise<readonly R[]>): Listing {
  return {
    name: view.name,
    async render(zk, options) {
      // A bad `fields` is refused before any read.
      if (!options.json && options.fields !== undefined) selectColumns(view, options.fields);
      const rows = await load(zk, options);
      if (options.json) return renderJson(rows);
      return renderText(view, rows, options.fields === undefined ? { now: options.now } : { now: options.now, fields: options.fields });
    },
  };
}

export const STATUS_LISTINGS = {
  "node-list": listing(nodeListView, loadNodeList),
  "image-list": listing(imageListView, loadImageList),
  "dib-image-list": listing(dibImageListView, loadDibImageList),
  "request-list": listing(requestListView, loadRequestList),
  "label-list": listing(labelListView, loadLabelList),
} as const satisfies Record<string, Listing>;

export type ListingName = keyof typeof STATUS_LISTINGS;
