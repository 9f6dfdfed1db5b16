import assert from "node:assert/strict";
import { spawn, execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { HostUnreachableError, scanHostKeys } from "../../../../engine/drivers/openstack/host-keys.ts";

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const sshd = "/usr/sbin/sshd";

test("the scan returns the host keys a real sshd offers, once it starts answering", { skip: existsSync(sshd) ? undefined : "openssh-server is not installed" }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "sshd-"));
  for (const type of ["ed25519", "rsa"]) execFileSync("ssh-keygen", ["-q", "-t", type, "-N", "", "-f", join(dir, `host_${type}`)]);
  const port = await freePort();
  writeFileSync(
    join(dir, "sshd_config"),
    [`Port ${port}`, "ListenAddress 127.0.0.1", `HostKey ${dir}/host_ed25519`, `HostKey ${dir}/host_rsa`, `PidFile ${dir}/sshd.pid`, "UsePAM no", "StrictModes no"].join("\n") + "\n",
  );
  mkdirSync("/run/sshd", { recursive: true });
  const signal = AbortSignal.timeout(30_000);
  // The scan starts before sshd listens: it keeps trying until the node answers.
  const scan = scanHostKeys("127.0.0.1", port, true, signal);
  await new Promise((r) => setTimeout(r, 500));
  const daemon = spawn(sshd, ["-D", "-e", "-f", join(dir, "sshd_config")], { stdio: "ignore" });
  t.after(() => daemon.kill());
  const keys = await scan;
  const expected = ["ed25519", "rsa"].map((type) => readFileSync(join(dir, `host_${type}.pub`), "utf8").split(" ").slice(0, 2).join(" "));
  assert.deepEqual(keys, expected);
});

test("a port that never answers ends the scan when boot-timeout runs out", async () => {
  const port = await freePort();
  const started = Date.now();
  await assert.rejects(scanHostKeys("127.0.0.1", port, false, AbortSignal.timeout(1500)), HostUnreachableError);
  assert.ok(Date.now() - started < 6000);
});
