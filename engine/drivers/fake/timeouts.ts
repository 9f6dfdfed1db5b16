/**
 * launch-timeout and boot-timeout for the fake cloud's simulated boot (behaviour.md §3.1 steps 5
 * and 10, §2.22, §3C). launch-timeout bounds the wait from the create call until the server
 * leaves BUILD (after `boot-delay`); boot-timeout then bounds the keyscan of its connection
 * port. The fake cloud's addresses all contain `fake`, which the keyscan shortcut of §3.6
 * answers at once, so boot-timeout only runs out while a test holds keyscans
 * (`FakeCloud.holdKeyscans`), as for a server whose ssh never comes up. With `host-key-checking`
 * false no keyscan happens and boot-timeout does not apply.
 */
import { LaunchError, messageOf, type ServerId } from "../driver.ts";
import type { FakeCloud, FakeServer } from "./cloud.ts";

/** The keyscan shortcut of §3.6: what a `fake` address answers. */
const FAKE_HOST_KEY = "ssh-rsa FAKEKEY";
/** Connection types whose keyscan gathers host keys; others only check the port answers. */
const KEY_TYPES: ReadonlySet<string> = new Set(["ssh", "network_cli"]);

/** Node fires longer timers at once: beyond this a setting means "never" in practice. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * A setting's timer over one wait. Unlike AbortSignal.timeout it keeps the process alive, as a
 * launch waiting for it must; `clear` when the wait is over.
 */
class Deadline {
  readonly signal: AbortSignal;
  private readonly own = new AbortController();
  private readonly timer: NodeJS.Timeout;

  constructor(
    seconds: number,
    private readonly caller: AbortSignal | undefined,
  ) {
    this.timer = setTimeout(() => this.own.abort(), Math.min(seconds * 1000, MAX_TIMER_MS));
    this.signal = caller ? AbortSignal.any([caller, this.own.signal]) : this.own.signal;
  }

  /** Whether the setting's own time ran out (rather than the caller aborting). */
  get expired(): boolean {
    return this.own.signal.aborted && !this.caller?.aborted;
  }

  clear(): void {
    clearTimeout(this.timer);
  }
}

/** Waits until the server has left BUILD, for at most `launchTimeout` seconds. */
export async function waitForActive(cloud: FakeCloud, id: ServerId, launchTimeout: number, caller?: AbortSignal): Promise<FakeServer> {
  const wait = new Deadline(launchTimeout, caller);
  try {
    return await cloud.waitForServer(id, wait.signal);
  } catch (error) {
    if (wait.expired) {
      throw new LaunchError("error.status", `server ${id} did not become ACTIVE within launch-timeout ${launchTimeout} s`, { cause: error, externalId: id });
    }
    throw new LaunchError("error.unknown", `waiting for server ${id} failed: ${messageOf(error)}`, { cause: error, externalId: id });
  } finally {
    wait.clear();
  }
}

/**
 * The keyscan of an ACTIVE server (§3.6): waits until its connection port answers, for at most
 * `bootTimeout` seconds; returns its host keys when the connection type has them.
 */
export async function keyscan(
  cloud: FakeCloud,
  server: FakeServer,
  connection: { type: string; port: number },
  bootTimeout: number,
  caller?: AbortSignal,
): Promise<string[]> {
  const wait = new Deadline(bootTimeout, caller);
  try {
    await cloud.waitReachable(server.id, wait.signal);
  } catch (error) {
    const address = `${server.interfaceIp}:${connection.port}`;
    if (wait.expired) {
      throw new LaunchError("error.ssh", `server ${server.id} did not answer on ${address} within boot-timeout ${bootTimeout} s`, { cause: error, externalId: server.id });
    }
    throw new LaunchError("error.unknown", `scanning ${address} of server ${server.id} failed: ${messageOf(error)}`, { cause: error, externalId: server.id });
  } finally {
    wait.clear();
  }
  return KEY_TYPES.has(connection.type) ? [FAKE_HOST_KEY] : [];
}
