/// <reference lib="dom" />
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { stringify } from "yaml";
import { resetFakeClouds } from "../../../engine/drivers/fake/index.ts";
import { LauncherDaemon } from "../../../engine/launcher/daemon.ts";
import { newRequest } from "../../../engine/zk/index.ts";
import { nodepoolOn } from "../../bin/commands/_cli.ts";
import { launchBrowser } from "../../helpers/browser.ts";
import { quietLogger, waitFor, zkForTest } from "../../helpers/zk.ts";

const PROVIDER = "fake-provider";

/** What `nodepool list --json` says: nodes of the provider per state. */
async function listedCounts(hosts: string): Promise<Record<string, number>> {
  const listed = await nodepoolOn(hosts, ["list", "--json"]);
  assert.equal(listed.exitCode, 0, String(listed.stderr));
  const counts: Record<string, number> = { total: 0 };
  for (const node of JSON.parse(String(listed.stdout)) as { provider: string; state: string }[]) {
    if (node.provider !== PROVIDER) continue;
    counts[node.state] = (counts[node.state] ?? 0) + 1;
    counts.total = (counts.total ?? 0) + 1;
  }
  return counts;
}

test("the status page, in a real browser, shows the numbers nodepool list shows and follows a fulfilled request without a reload", async (t) => {
  resetFakeClouds();
  const { zk, hosts } = await zkForTest(t);
  const dir = await mkdtemp(join(tmpdir(), "nodepool-status-page-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const configPath = join(dir, "nodepool.yaml");
  await writeFile(
    configPath,
    stringify({
      webapp: { port: 8005, listen_address: "127.0.0.1" },
      labels: [{ name: "small", "min-ready": 2 }],
      providers: [
        {
          name: PROVIDER,
          driver: "fake",
          cloud: "fake",
          "cloud-images": [{ name: "precise", "image-name": "Fake Precise" }],
          pools: [{ name: "main", "max-servers": 10, labels: [{ name: "small", "cloud-image": "precise", "min-ram": 8192 }] }],
        },
      ],
    }),
  );
  const daemon = await LauncherDaemon.start({ configPath, zookeeper: hosts, log: quietLogger, webPort: 0 });
  t.after(() => daemon.stop());
  const readyNodes = async (): Promise<number> => (await zk.getNodes()).filter((n) => n.state === "ready").length;
  await waitFor("the two min-ready nodes", async () => (await readyNodes()) === 2);

  const browser = await launchBrowser();
  t.after(() => browser.close());
  const page = await browser.context.newPage();
  await page.goto(`${daemon.webUrl}/`);
  await page.waitForFunction(() => document.getElementById("live")?.textContent === "live");
  const shown = (state: string): Promise<string | null> => page.textContent(`#fleet td[data-provider="${PROVIDER}"][data-state="${state}"]`);

  const before = await listedCounts(hosts);
  assert.equal(before.ready, 2);
  for (const state of ["ready", "building", "in-use", "deleting", "total"]) assert.equal(await shown(state), String(before[state] ?? 0), state);
  assert.equal(await page.textContent('#requests [data-requests="waiting"]'), "0");
  assert.match((await page.textContent('#providers [data-provider-row="fake-provider"]')) ?? "", /ready/);

  // Zuul asks for a node: a ready one is assigned and min-ready launches its replacement.
  await page.evaluate(() => Object.assign(window, { notReloaded: true }));
  const request = await zk.submitNodeRequest(newRequest({ nodeTypes: ["small"], requestor: "zuul" }), 100);
  await waitFor("the request fulfilled and the replacement ready", async () => (await zk.getNodeRequest(request.id!))?.state === "fulfilled" && (await readyNodes()) === 3);
  await page.waitForFunction(
    (provider) => document.querySelector(`#fleet td[data-provider="${provider}"][data-state="total"]`)?.textContent === "3",
    PROVIDER,
    { timeout: 2000 },
  );
  assert.equal(await page.evaluate(() => (window as Window & { notReloaded?: boolean }).notReloaded), true);
  const after = await listedCounts(hosts);
  for (const state of ["ready", "building", "in-use", "total"]) assert.equal(await shown(state), String(after[state] ?? 0), state);
  assert.equal(await page.textContent('#fleet [data-total="total"]'), "3");
});
