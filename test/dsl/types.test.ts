/**
 * The DSL's types, checked by the TypeScript compiler API like `nodepool compile` does: a fixture of
 * `@ts-expect-error` lines (each must be an error, or TypeScript reports the directive as unused)
 * next to pasted YAML that must type-check as it is.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { typecheckConfig } from "../../dsl/compiler/index.ts";
import { writeFiles } from "../helpers/files.ts";

const expectations = `
import { cloudImage, defineConfig, diskimage, label, secret, type LabelHandle } from "nodepool/dsl";

const ubuntu = diskimage({ name: "ubuntu-jammy", "env-vars": { TOKEN: secret() } });
const small = label({ name: "ubuntu-small", "min-ready": 1 });
const windows = cloudImage({ name: "windows", "image-name": "Windows Server 2019" });

// A handle keeps its literal name, so references are checked by name.
const exact: "ubuntu-small" = small.name;
const typed: LabelHandle<"ubuntu-small"> = small;
// @ts-expect-error a handle's name is not any other name
const other: "ubuntu-large" = small.name;

// @ts-expect-error a typo in a label handle is a compile error
const typo = smal.name;

// @ts-expect-error an unknown key in a label definition
label({ name: "big", "min-readdy": 2 });

// @ts-expect-error a wrong type (YAML would have needed quotes or none)
label({ name: "big", "min-ready": "2" });

// @ts-expect-error env-vars values are strings
diskimage({ name: "x", "env-vars": { DIB_CHECKSUM: 1 } });

export default defineConfig({
  labels: [small],
  diskimages: [ubuntu],
  providers: [
    {
      name: "cloud1",
      cloud: "c",
      diskimages: [{ name: ubuntu.name }],
      "cloud-images": [windows],
      pools: [
        {
          name: "main",
          labels: [
            { name: small.name, diskimage: ubuntu.name, "min-ram": 2048 },
            { name: small.name, "cloud-image": windows.name, "flavor-name": "large" },
          ],
        },
      ],
    },
    // @ts-expect-error a static provider has no cloud
    { name: "rack", driver: "static", cloud: "c", pools: [] },
    {
      name: "k8s",
      driver: "kubernetes",
      context: "ctx",
      // @ts-expect-error an OpenStack key on a Kubernetes pool label
      pools: [{ name: "p", labels: [{ name: small.name, type: "pod", "flavor-name": "x" }] }],
    },
    // @ts-expect-error the DSL does not offer the deprecated ssh-port
    { name: "rack2", driver: "static", pools: [{ name: "m", nodes: [{ name: "h", labels: [small.name], "ssh-port": 22 }] }] },
    // @ts-expect-error an unknown driver
    { name: "x", driver: "nope" },
  ],
});
export { exact, typed, other, typo };
`;

/** spec/config.md's canonical structure pasted as an object literal: a valid config as it is. */
const pasted = `
import { defineConfig } from "nodepool/dsl";

export default defineConfig({
  "zookeeper-servers": [{ host: "zk1.example.org", port: 2181, chroot: "/nodepool" }],
  webapp: { port: 8005, listen_address: "0.0.0.0" },
  labels: [{ name: "trusty", "min-ready": 1, "max-ready-age": 3600 }],
  providers: [
    {
      name: "cloud1",
      driver: "openstack",
      cloud: "cloud1",
      "region-name": "r1",
      rate: 0.5,
      diskimages: [{ name: "trusty", meta: { key: "value" }, "connection-type": "ssh" }],
      pools: [
        {
          name: "main",
          "max-servers": 96,
          "availability-zones": ["az1"],
          labels: [{ name: "trusty", diskimage: "trusty", "min-ram": 8192, "flavor-name": "Performance" }],
        },
      ],
    },
    {
      name: "static-rack",
      driver: "static",
      pools: [{ name: "main", nodes: [{ name: "host1", labels: ["trusty"], "host-key": "ssh-rsa AAAA", timeout: 13 }] }],
    },
  ],
  diskimages: [{ name: "trusty", elements: ["ubuntu", "vm"], release: 21, "env-vars": { DIB_CHECKSUM: "1" } }],
  "tenant-resource-limits": [{ "tenant-name": "example", "max-servers": 10, "max-gpus": 2 }],
});
`;

/**
 * Names written as plain strings: defineConfig infers the names the config defines, so a reference
 * to anything else fails type-checking. Each marked name of `base` is misspelt in a variant of its
 * own, which must fail with an error on that line (or where the handle is listed) naming the typo.
 */
const base = `
import { defineConfig, diskimage, label } from "nodepool/dsl";

const large = label({ name: "ubuntu-large" });
// A handle's references are checked where the handle is listed.
const child = diskimage({ name: "jammy-child", parent: "jammy" /* diskimage, listed as child */ });

export default defineConfig({
  labels: [{ name: "ubuntu-small", "min-ready": 1 }, large],
  diskimages: [
    { name: "jammy", elements: ["ubuntu-minimal"] },
    { name: "jammy-arm", parent: "jammy" /* diskimage */ },
    child,
  ],
  providers: [
    {
      name: "cloud1",
      cloud: "c",
      diskimages: [{ name: "jammy" /* diskimage */ }],
      "cloud-images": [{ name: "windows", "image-name": "Windows Server 2019" }],
      pools: [
        {
          name: "main",
          labels: [
            { name: "ubuntu-small" /* label */, diskimage: "jammy" },
            { name: "ubuntu-small", diskimage: "jammy" /* diskimage */ },
            { name: large.name, "cloud-image": "windows" /* cloud-image */ },
          ],
        },
      ],
    },
    {
      name: "k8s",
      driver: "kubernetes",
      context: "ctx",
      pools: [{ name: "p", labels: [{ name: "ubuntu-small" /* label */, type: "pod" }] }],
    },
    {
      name: "aws",
      driver: "aws",
      "region-name": "us-east-1",
      "cloud-images": [{ name: "ami" }],
      pools: [{ name: "p", labels: [{ name: "ubuntu-large", "cloud-image": "ami" /* cloud-image */, "instance-type": "t3", "key-name": "k" }] }],
    },
  ],
});
`;

const typos = { label: "ubuntu-smal", diskimage: "jamy", "cloud-image": "windos" } as const;
const defined = { label: "ubuntu-small", diskimage: "jammy", "cloud-image": "windows" } as const;
const marked = /"([^"]+)" \/\* (label|diskimage|cloud-image)(?:, listed as (\w+))? \*\//;

/** The valid config, and one variant per marked line with that name misspelt. */
function variants(): Array<{ file: string; text: string; line: number; typo: string }> {
  const lines = base.split("\n");
  const clean = lines.map((line) => line.replace(marked, (_, name: string) => `"${name}"`)).join("\n");
  return [
    { file: "valid.config.ts", text: clean, line: 0, typo: "" },
    ...lines.flatMap((line, i) => {
      const match = marked.exec(line);
      if (match === null) return [];
      const kind = match[2] as keyof typeof typos;
      const typo = match[1] === defined[kind] ? typos[kind] : `${match[1]}x`;
      const text = [...clean.split("\n").slice(0, i), line.replace(marked, `"${typo}"`), ...clean.split("\n").slice(i + 1)].join("\n");
      const reported = match[3] === undefined ? i : lines.findIndex((other) => other.trim() === `${match[3]},`);
      return [{ file: `typo-${i + 1}.config.ts`, text, line: reported + 1, typo }];
    }),
  ];
}

/** Names computed at run time are plain strings: their references are left to validation. */
const computed = `
import { defineConfig } from "nodepool/dsl";

const names: string[] = ["a", "b"];

export default defineConfig({
  labels: names.map((name) => ({ name })),
  providers: [{ name: "p", cloud: "c", pools: [{ name: "main", labels: [{ name: "anything", "cloud-image": "any" }] }] }],
});
`;

test("a reference written as a string must name a label, diskimage or cloud-image the config defines", (t) => {
  const cases = variants();
  assert.equal(cases.length, 9);
  const dir = writeFiles(t, { ...Object.fromEntries(cases.map((c) => [c.file, c.text])), "computed.config.ts": computed });
  const problems = typecheckConfig([...cases.map((c) => join(dir, c.file)), join(dir, "computed.config.ts")]);
  const at = (file: string) => problems.filter((p) => p.file === join(dir, file)).map((p) => `${p.line}: ${p.message}`);
  assert.deepEqual(at("valid.config.ts"), []);
  assert.deepEqual(at("computed.config.ts"), []);
  const missed = cases.slice(1).flatMap((c) => {
    const found = at(c.file);
    return found.some((p) => p.startsWith(`${c.line}: `)) ? [] : [`${c.file}: no error on line ${c.line} for "${c.typo}", got:\n${found.join("\n")}`];
  });
  assert.deepEqual(missed, []);
});

test("the DSL's types reject typos, unknown keys and wrong types, and accept pasted YAML", (t) => {
  const dir = writeFiles(t, { "expectations.config.ts": expectations, "pasted.config.ts": pasted });
  const problems = typecheckConfig([join(dir, "expectations.config.ts"), join(dir, "pasted.config.ts")]);
  assert.deepEqual(
    problems.map((p) => `${p.file.slice(dir.length + 1)}:${p.line}:${p.column} TS${p.code} ${p.message}`),
    [],
  );
});
