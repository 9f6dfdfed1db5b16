import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import type { TestContext } from "node:test";

/**
 * Drives test/kazoo/driver.py: a real kazoo client (Debian's python3-kazoo) on the test's
 * chroot, playing Zuul or the Python Nodepool. `call` sends one command and resolves with its
 * result; a kazoo exception rejects with a KazooError naming the exception class.
 */
export class KazooError extends Error {
  constructor(
    readonly kazooClass: string,
    message: string,
  ) {
    super(`${kazooClass}: ${message}`);
  }
}

interface Reply {
  id: number;
  ok: boolean;
  result?: unknown;
  error?: string;
  message?: string;
}

/** Debian's interpreter, where python3-kazoo is installed (a pyenv python3 may lack it). */
const PYTHON = process.env.NODEPOOL_TEST_PYTHON ?? "/usr/bin/python3";
const DRIVER = fileURLToPath(new URL("./driver.py", import.meta.url));

export class Kazoo {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  private nextId = 1;
  private readonly ready: Promise<unknown>;

  private constructor(hosts: string) {
    this.child = spawn(PYTHON, [DRIVER, hosts], { stdio: ["pipe", "pipe", "pipe"] });
    let stderr = "";
    this.child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    this.ready = new Promise((resolve, reject) => {
      this.pending.set(0, { resolve, reject });
      this.child.on("exit", (code) => {
        for (const waiter of this.pending.values()) waiter.reject(new Error(`kazoo driver exited (${code}): ${stderr}`));
        this.pending.clear();
      });
    });
    createInterface({ input: this.child.stdout }).on("line", (line) => {
      const reply = JSON.parse(line) as Reply;
      const waiter = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      if (reply.ok) waiter?.resolve(reply.result);
      else waiter?.reject(new KazooError(reply.error ?? "Error", reply.message ?? ""));
    });
  }

  /** Starts a kazoo client on `hosts`; it is stopped when the test ends. */
  static async start(t: TestContext, hosts: string): Promise<Kazoo> {
    const kazoo = new Kazoo(hosts);
    t.after(() => kazoo.kill());
    await kazoo.ready;
    return kazoo;
  }

  call<T = unknown>(op: string, args: Record<string, unknown> = {}): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: (value) => resolve(value as T), reject });
      this.child.stdin.write(`${JSON.stringify({ id, op, ...args })}\n`);
    });
  }

  /** Ends the process (and so its session, once the server notices the closed socket). */
  kill(): void {
    if (this.child.exitCode === null) this.child.kill("SIGKILL");
  }
}
