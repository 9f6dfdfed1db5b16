/**
 * `nodepool dib-image-list` and `/dib-image-list` (behaviour.md §5.3, §6.3): one row per
 * build, images by name, builds by id.
 */
import { buildDisplayName, type ImageBuildRecord, type NodepoolZk } from "../zk/index.ts";
import { epochAgeColumn, type View } from "./view.ts";

export interface DibImageListRow {
  /** `<image>-<build id>`. */
  readonly id: string;
  readonly image: string;
  readonly builder: string | null;
  /** Sorted. */
  readonly formats: readonly string[];
  readonly state: string;
  /** Epoch seconds of the build's `state_time`, an integer. */
  readonly age: number;
}

export const dibImageListView: View<DibImageListRow> = {
  name: "dib-image-list",
  columns: [
    { key: "id", header: "ID" },
    { key: "image", header: "Image" },
    { key: "builder", header: "Builder" },
    { key: "formats", header: "Formats" },
    { key: "state", header: "State" },
    epochAgeColumn<DibImageListRow>(),
  ],
};

export function dibImageListRow(build: ImageBuildRecord & { readonly id: NonNullable<ImageBuildRecord["id"]> }): DibImageListRow {
  return {
    id: buildDisplayName(build.image, build.id),
    image: build.image,
    builder: build.builder,
    formats: [...build.formats].sort(),
    state: build.state,
    age: Math.trunc(build.stateTime),
  };
}

export async function loadDibImageList(zk: NodepoolZk): Promise<DibImageListRow[]> {
  const perImage = await Promise.all((await zk.getImageNames()).map((image) => zk.getBuilds(image)));
  return perImage.flat().flatMap((build) => (build.id === undefined ? [] : [dibImageListRow({ ...build, id: build.id })]));
}
