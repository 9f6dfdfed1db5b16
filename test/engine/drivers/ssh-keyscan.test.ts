import assert from "node:assert/strict";
import { test } from "node:test";
import { HostCheckFailedError, formatHostKey, probeSsh, scanHostKeys } from "../../../engine/drivers/ssh-keyscan.ts";
import { SshdHost, freePort, loopbackAddress, silentHost, sshdHosts } from "../../helpers/sshd.ts";

test("a scan collects every host key type sshd offers, as ssh-keygen wrote them", async (t) => {
  const [host] = await sshdHosts(t, 1);
  const keys = await scanHostKeys({ host: host!.address, port: host!.port, timeoutMs: 5_000 });
  assert.deepEqual(keys, [...host!.publicKeys].sort());
  assert.deepEqual(
    keys.map((key) => key.split(" ")[0]),
    ["ecdsa-sha2-nistp256", "ssh-ed25519", "ssh-rsa"],
  );
});

test("a host with one key type yields that key only", async (t) => {
  const [host] = await sshdHosts(t, 1, { keyTypes: ["ed25519"] });
  assert.deepEqual(await scanHostKeys({ host: host!.address, port: host!.port, timeoutMs: 5_000 }), host!.publicKeys);
});

test("a host that is down fails the scan at once with a typed error naming host and port", async (t) => {
  const [host] = await sshdHosts(t, 1, { keyTypes: ["ed25519"] });
  await host!.stop();
  const started = Date.now();
  await assert.rejects(scanHostKeys({ host: host!.address, port: host!.port, timeoutMs: 5_000 }), (error: unknown) => {
    assert.ok(error instanceof HostCheckFailedError);
    assert.equal(error.reason, "refused");
    assert.equal(error.code, "ssh.refused");
    assert.match(error.message, new RegExp(`${host!.address}:${host!.port}`));
    return true;
  });
  assert.ok(Date.now() - started < 2_000, "a refused connection is not waited on");
  await host!.start();
  assert.deepEqual(await scanHostKeys({ host: host!.address, port: host!.port, timeoutMs: 5_000 }), host!.publicKeys);
});

test("a host that accepts and never answers fails with a timeout within the limit", async (t) => {
  const silent = await silentHost(t);
  const started = Date.now();
  await assert.rejects(scanHostKeys({ host: silent.address, port: silent.port, timeoutMs: 500 }), (error: unknown) => {
    assert.ok(error instanceof HostCheckFailedError);
    assert.equal(error.reason, "timeout");
    assert.match(error.message, /within 0\.5 s/);
    return true;
  });
  const elapsed = Date.now() - started;
  assert.ok(elapsed >= 450 && elapsed < 2_000, `ended after ${elapsed} ms`);
  await assert.rejects(probeSsh({ host: silent.address, port: silent.port, timeoutMs: 300, expectSsh: true }), { reason: "timeout" });
  // Without SSH expected, the accepted connection is enough.
  await probeSsh({ host: silent.address, port: silent.port, timeoutMs: 300, expectSsh: false });
});

test("the liveness probe reads sshd's identification and fails for a stopped host", async (t) => {
  const [host] = await sshdHosts(t, 1, { keyTypes: ["ed25519"] });
  await probeSsh({ host: host!.address, port: host!.port, timeoutMs: 2_000, expectSsh: true });
  await host!.stop();
  await assert.rejects(probeSsh({ host: host!.address, port: host!.port, timeoutMs: 2_000, expectSsh: true }), { reason: "refused" });
});

test("an aborted scan ends at once", async (t) => {
  const silent = await silentHost(t);
  const controller = new AbortController();
  const scan = scanHostKeys({ host: silent.address, port: silent.port, timeoutMs: 10_000, signal: controller.signal });
  setTimeout(() => controller.abort(), 50);
  await assert.rejects(scan, { reason: "aborted" });
});

test("several hosts are scanned side by side, each with its own keys", async (t) => {
  const hosts = await sshdHosts(t, 3, { keyTypes: ["ed25519", "rsa"] });
  const scans = await Promise.all(hosts.map((host) => scanHostKeys({ host: host.address, port: host.port, timeoutMs: 5_000 })));
  scans.forEach((keys, i) => assert.deepEqual(keys, [...hosts[i]!.publicKeys].sort()));
  assert.equal(new Set(scans.flat()).size, 6);
});

test("a malformed key blob is refused", () => {
  assert.throws(() => formatHostKey(Buffer.from([0, 0, 0, 50, 1])), HostCheckFailedError);
  assert.equal(formatHostKey(Buffer.from([0, 0, 0, 3, 0x61, 0x62, 0x63])), "abc AAAAA2FiYw==");
});

test("the sshd helper gives each host its own address, port and keys", async (t) => {
  const address = loopbackAddress();
  const port = await freePort(address);
  const host = await SshdHost.create({ address, port, keyTypes: ["ed25519"] });
  t.after(() => host.dispose());
  assert.match(address, /^127\./);
  assert.equal(host.running, false);
  await host.start();
  assert.equal(host.running, true);
  assert.deepEqual(await scanHostKeys({ host: address, port, timeoutMs: 5_000 }), host.publicKeys);
});
