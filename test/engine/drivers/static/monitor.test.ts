import assert from "node:assert/strict";
import { test } from "node:test";
import { pino } from "pino";
import { StaticHostMonitor, type StaticHost } from "../../../../engine/drivers/static/index.ts";
import { HostKeyMismatchError, HostUnreachableError } from "../../../../engine/drivers/static/errors.ts";
import { waitFor } from "../../../helpers/zk.ts";
import { sshdHosts, type SshdHost } from "../../../helpers/sshd.ts";

function staticHost(sshd: SshdHost, overrides: Partial<StaticHost> = {}): StaticHost {
  return {
    provider: "static-provider",
    pool: "main",
    name: sshd.address,
    labels: ["fake-label"],
    username: "zuul",
    connectionType: "ssh",
    port: sshd.port,
    timeout: 2,
    expectedKeys: [],
    slots: 1,
    ...overrides,
  };
}

/** Log lines as objects, to count how often a state change is logged. */
function capture() {
  const lines: Array<Record<string, unknown>> = [];
  const log = pino({ level: "debug" }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  return { log, lines, messages: () => lines.map((l) => String(l.msg)) };
}

test("registration returns the record fields with every scanned key; keys scanned moments ago are reused", async (t) => {
  const [sshd] = await sshdHosts(t, 1);
  const monitor = new StaticHostMonitor({ log: pino({ level: "silent" }), onChange: () => undefined });
  t.after(() => monitor.stop());
  monitor.setHosts([staticHost(sshd!, { username: "admin" })]);
  const fields = await monitor.register(sshd!.address);
  assert.deepEqual(fields, {
    external_id: null,
    hostname: sshd!.address,
    image_id: null,
    username: "admin",
    connection_type: "ssh",
    connection_port: sshd!.port,
    resources: null,
    az: null,
    cloud: null,
    region: null,
    host_id: null,
    interface_ip: sshd!.address,
    public_ipv4: sshd!.address,
    public_ipv6: null,
    private_ipv4: null,
    host_keys: [...sshd!.publicKeys].sort(),
  });
  await monitor.register(sshd!.address);
  assert.equal(monitor.counts.scans, 1, "a second slot registered at once needs no second key exchange");
  assert.equal(monitor.hosts()[0]!.status, "up");
});

test("a configured host key that the host does not offer refuses it, logged with host, port, expected and found keys", async (t) => {
  const [sshd] = await sshdHosts(t, 1, { keyTypes: ["ed25519"] });
  const { log, lines } = capture();
  const monitor = new StaticHostMonitor({ log, onChange: () => undefined });
  t.after(() => monitor.stop());
  monitor.setHosts([staticHost(sshd!, { expectedKeys: ["ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC0 old-key"] })]);
  await assert.rejects(monitor.register(sshd!.address), HostKeyMismatchError);
  const refused = lines.find((l) => l.msg === "static host refused: host key mismatch");
  assert.ok(refused);
  assert.equal(refused.host, sshd!.address);
  assert.equal(refused.port, sshd!.port);
  assert.deepEqual(refused.expected, ["ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC0 old-key"]);
  assert.deepEqual(refused.found, sshd!.publicKeys);
  assert.equal(monitor.hosts()[0]!.status, "refused");
  // The right key configured: accepted.
  monitor.setHosts([staticHost(sshd!, { expectedKeys: [`${sshd!.publicKeys[0]} root@host`] })]);
  assert.deepEqual((await monitor.register(sshd!.address)).host_keys, sshd!.publicKeys);
});

test("winrm hosts are not scanned: their port answering is enough and they carry no keys", async (t) => {
  const [sshd] = await sshdHosts(t, 1, { keyTypes: ["ed25519"] });
  const monitor = new StaticHostMonitor({ log: pino({ level: "silent" }), onChange: () => undefined });
  t.after(() => monitor.stop());
  monitor.setHosts([staticHost(sshd!, { connectionType: "winrm" })]);
  assert.deepEqual((await monitor.register(sshd!.address)).host_keys, []);
  assert.equal(monitor.counts.scans, 0);
});

test("a host going down is logged once, retried with backoff, and registered again once back; the engine is told of each change", async (t) => {
  const [sshd] = await sshdHosts(t, 1, { keyTypes: ["ed25519"] });
  const { log, lines } = capture();
  let changes = 0;
  const monitor = new StaticHostMonitor({ log, policy: { livenessIntervalMs: 200, retryBaseMs: 50 }, onChange: () => void changes++ });
  t.after(() => monitor.stop());
  monitor.setHosts([staticHost(sshd!)]);
  monitor.watch();
  await waitFor("the host checked", () => monitor.hosts()[0]!.status === "up");
  assert.equal(changes, 1);
  await sshd!.stop();
  await waitFor("the host seen down", () => monitor.hosts()[0]!.status === "down");
  await assert.rejects(monitor.register(sshd!.address), HostUnreachableError);
  // Several retries fail meanwhile; the state change was logged once.
  const failing = monitor.counts.scans;
  await waitFor("retries", () => monitor.counts.scans >= failing + 3);
  assert.equal(lines.filter((l) => l.msg === "static host does not answer: not registered, retrying with backoff").length, 1);
  const down = lines.find((l) => String(l.msg).startsWith("static host does not answer"))!;
  assert.match(String(down.reason), /connection refused/);
  await sshd!.start();
  await waitFor("the host back", () => monitor.hosts()[0]!.status === "up", 5_000);
  assert.equal(lines.filter((l) => l.msg === "static host answers again").length, 1);
  assert.equal(changes, 3, "up, down, back");
});

test("an idle host that stays up is probed once per liveness interval and never scanned again", async (t) => {
  const [sshd] = await sshdHosts(t, 1, { keyTypes: ["ed25519"] });
  const monitor = new StaticHostMonitor({ log: pino({ level: "silent" }), policy: { livenessIntervalMs: 100, retryBaseMs: 50 }, onChange: () => undefined });
  t.after(() => monitor.stop());
  monitor.setHosts([staticHost(sshd!)]);
  monitor.watch();
  await waitFor("five probes", () => monitor.counts.probes >= 5);
  assert.equal(monitor.counts.scans, 1);
});

test("the hand-out check fails for a stopped host and marks it down; a changed port makes the host unknown again", async (t) => {
  const [sshd] = await sshdHosts(t, 1, { keyTypes: ["ed25519"] });
  const monitor = new StaticHostMonitor({ log: pino({ level: "silent" }), onChange: () => undefined });
  t.after(() => monitor.stop());
  monitor.setHosts([staticHost(sshd!)]);
  assert.equal(await monitor.reachable(sshd!.address), false, "a host never checked is not handed out");
  await monitor.register(sshd!.address);
  assert.equal(await monitor.reachable(sshd!.address), true);
  await sshd!.stop();
  assert.equal(await monitor.reachable(sshd!.address), false);
  assert.equal(monitor.hosts()[0]!.status, "down");
  monitor.setHosts([staticHost(sshd!, { port: sshd!.port + 1 })]);
  assert.equal(monitor.hosts()[0]!.status, "unknown");
  monitor.setHosts([staticHost(sshd!, { port: sshd!.port + 1, labels: ["other"] })]);
  assert.deepEqual(monitor.hosts()[0]!.labels, ["other"]);
  assert.equal(monitor.hosts()[0]!.status, "unknown");
});

test("a provider restarted for a config change starts from what the previous one knew: no rescan of the rack", async (t) => {
  const [sshd] = await sshdHosts(t, 1, { keyTypes: ["ed25519"] });
  const first = new StaticHostMonitor({ log: pino({ level: "silent" }), onChange: () => undefined });
  first.setHosts([staticHost(sshd!, { provider: "restarted" })]);
  await first.register(sshd!.address);
  first.stop();
  const second = new StaticHostMonitor({ log: pino({ level: "silent" }), onChange: () => undefined, scanReuseMs: 0 });
  t.after(() => second.stop());
  second.setHosts([staticHost(sshd!, { provider: "restarted", labels: ["changed"] })]);
  assert.equal(second.hosts()[0]!.status, "up");
  assert.deepEqual(second.hosts()[0]!.hostKeys, sshd!.publicKeys);
  // Other check settings, or another provider: checked afresh.
  second.setHosts([staticHost(sshd!, { provider: "restarted", timeout: 3 })]);
  assert.equal(second.hosts()[0]!.status, "unknown");
  const other = new StaticHostMonitor({ log: pino({ level: "silent" }), onChange: () => undefined });
  other.setHosts([staticHost(sshd!, { provider: "another" })]);
  assert.equal(other.hosts()[0]!.status, "unknown");
});
