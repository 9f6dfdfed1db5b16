import { test } from "node:test";
import assert from "node:assert/strict";
import { planEntries, renderPlan, secretValues, redact } from "../../../engine/plan-view/index.ts";
import type { BuilderAction } from "../../../engine/builder/plan.ts";
import type { Action } from "../../../engine/reconcile/actions.ts";
import { nodepoolConfigSchema } from "../../../schema/index.ts";
import type { BuildId, NodeId, RequestId, UploadId } from "../../../engine/zk/ids.ts";

const launcherActions: Action[] = [
  { kind: "mark-deleting", provider: "cloud-b", node: "0000000007" as NodeId, reason: "max-ready-age 1h exceeded: delete" },
  { kind: "min-ready", provider: null, label: "small", count: 2, reason: "min-ready 3, 1 ready: launch 2" },
  {
    kind: "accept",
    provider: "cloud-a",
    request: "200-0000000001" as RequestId,
    pool: "cloud-a-main",
    declinedBy: [],
    assign: ["0000000003" as NodeId],
    launch: [],
    az: null,
    paused: false,
    reason: "zuul asks for small",
  },
];
const builderActions: BuilderAction[] = [
  { kind: "build", image: "ubuntu", manual: false, reason: "rebuild-age 24h exceeded" },
  { kind: "delete-upload", image: "ubuntu", build: "0000000001" as BuildId, provider: "cloud-a", upload: "0000000002" as UploadId, reason: "provider diskimages is empty" },
  { kind: "delete-build", image: "ubuntu", build: "0000000001" as BuildId, owned: true, reason: "not among the two newest ready builds" },
];

test("the plan is grouped by provider, then all providers, then images, with markers and reasons", () => {
  assert.equal(
    renderPlan(planEntries(launcherActions, builderActions)),
    [
      "Provider cloud-b:",
      "  - delete node 0000000007 (max-ready-age 1h exceeded: delete)",
      "",
      "Provider cloud-a:",
      "  ~ accept request 200-0000000001 in pool cloud-a-main: reuse 0000000003 (zuul asks for small)",
      "  - delete upload 0000000002 of ubuntu-0000000001 from cloud-a (provider diskimages is empty)",
      "",
      "All providers:",
      "  + request 2 small nodes (min-ready 3, 1 ready: launch 2)",
      "",
      "Images:",
      "  + build ubuntu (rebuild-age 24h exceeded)",
      "  - delete build ubuntu-0000000001 (not among the two newest ready builds)",
      "",
      "Plan: 2 to create, 1 to change, 3 to delete.",
      "",
    ].join("\n"),
  );
});

test("nothing to do prints No changes.", () => {
  assert.equal(renderPlan([]), "No changes.\n");
});

test("JSON entries carry the action's own fields, its group, marker and summary", () => {
  const [deleteNode, minReady] = planEntries(launcherActions, []);
  assert.deepEqual(JSON.parse(JSON.stringify(minReady)), {
    group: "all providers",
    marker: "+",
    summary: "request 2 small nodes",
    daemon: "launcher",
    kind: "min-ready",
    provider: null,
    label: "small",
    count: 2,
    reason: "min-ready 3, 1 ready: launch 2",
  });
  assert.equal(deleteNode?.group, "cloud-b");
  const [build] = planEntries([], builderActions);
  assert.deepEqual({ group: build?.group, marker: build?.marker, daemon: build?.daemon, summary: build?.summary }, { group: "images", marker: "+", daemon: "builder", summary: "build ubuntu" });
});

test("secret values of the config are masked wherever they would be printed", () => {
  const config = nodepoolConfigSchema.parse({
    labels: [],
    providers: [],
    diskimages: [{ name: "ubuntu", "env-vars": { REGISTRY_PASSWORD: "hunter2-s3cret", DIB_RELEASE: "jammy" } }],
  });
  const secrets = secretValues(config, ["diskimages[0].env-vars.REGISTRY_PASSWORD"]);
  assert.deepEqual(secrets, ["hunter2-s3cret"]);
  assert.equal(redact("upload failed: bad token hunter2-s3cret for jammy", secrets), "upload failed: bad token ******** for jammy");
});
