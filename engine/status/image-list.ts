/**
 * `nodepool image-list` and `/image-list` (behaviour.md §5.3, §6.3): one row per upload of
 * every build of every image, images by name, builds, providers and uploads by id.
 */
import type { ImageUploadRecord, NodepoolZk } from "../zk/index.ts";
import { epochAgeColumn, type View } from "./view.ts";

export interface ImageListRow {
  /** The build id. */
  readonly id: string;
  readonly upload_id: string;
  readonly provider: string;
  readonly image: string;
  readonly external_name: string | null;
  readonly external_id: string | null;
  readonly state: string;
  /** Epoch seconds of the upload's `state_time` (despite the name), an integer. */
  readonly age: number;
}

export const imageListView: View<ImageListRow> = {
  name: "image-list",
  columns: [
    { key: "id", header: "Build ID" },
    { key: "upload_id", header: "Upload ID" },
    { key: "provider", header: "Provider" },
    { key: "image", header: "Image" },
    { key: "external_name", header: "Provider Image Name" },
    { key: "external_id", header: "Provider Image ID" },
    { key: "state", header: "State" },
    epochAgeColumn<ImageListRow>(),
  ],
};

export function imageListRow(upload: ImageUploadRecord): ImageListRow {
  return {
    id: upload.buildId,
    upload_id: upload.id ?? "",
    provider: upload.provider,
    image: upload.image,
    external_name: upload.externalName,
    external_id: upload.externalId,
    state: upload.state,
    age: Math.trunc(upload.stateTime),
  };
}

export async function loadImageList(zk: NodepoolZk): Promise<ImageListRow[]> {
  const perImage = await Promise.all(
    (await zk.getImageNames()).map(async (image) => {
      const perBuild = await Promise.all(
        (await zk.getBuildIds(image)).sort().map(async (build) => {
          const providers = await zk.getBuildProviders(image, build);
          return (await Promise.all(providers.map((provider) => zk.getUploads(image, build, provider)))).flat();
        }),
      );
      return perBuild.flat();
    }),
  );
  return perImage.flat().map(imageListRow);
}
