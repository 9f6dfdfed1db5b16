import { createSocket, type Socket } from "node:dgram";
import { EventEmitter } from "node:events";
import type { TestContext } from "node:test";
import { createStatsClient, type StatsClient } from "../../../engine/stats/client.ts";
import { quietLogger } from "../../helpers/zk.ts";

/** One received datagram: its lines and when it arrived. */
export interface Datagram {
  readonly lines: readonly string[];
  readonly bytes: number;
  readonly at: number;
}

/** A real statsd server stand-in: a UDP socket on 127.0.0.1 recording every datagram. */
export class StatsListener {
  readonly datagrams: Datagram[] = [];
  private readonly arrivals = new EventEmitter();

  private constructor(
    socket: Socket,
    readonly port: number,
  ) {
    socket.on("message", (message) => {
      this.datagrams.push({ lines: message.toString("utf8").split("\n"), bytes: message.length, at: performance.now() });
      this.arrivals.emit("datagram");
    });
  }

  static async open(t: TestContext): Promise<StatsListener> {
    const socket = createSocket("udp4");
    await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
    const listener = new StatsListener(socket, socket.address().port);
    t.after(() => socket.close());
    return listener;
  }

  /** Every line received so far, in order. */
  get lines(): string[] {
    return this.datagrams.flatMap((d) => d.lines);
  }

  /** Datagrams that carry `line`. */
  datagramsWith(line: string): Datagram[] {
    return this.datagrams.filter((d) => d.lines.includes(line));
  }

  /** Resolves once `check` holds over what was received; fails after `timeoutMs`. */
  async waitFor(what: string, check: (listener: StatsListener) => boolean, timeoutMs = 10_000): Promise<void> {
    if (check(this)) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.arrivals.off("datagram", onDatagram);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; received:\n${this.lines.join("\n")}`));
      }, timeoutMs);
      const onDatagram = (): void => {
        if (!check(this)) return;
        clearTimeout(timer);
        this.arrivals.off("datagram", onDatagram);
        resolve();
      };
      this.arrivals.on("datagram", onDatagram);
    });
  }

  /** Waits until every line is received. */
  async waitForLines(lines: readonly string[], timeoutMs?: number): Promise<void> {
    await this.waitFor(lines.join(", "), (l) => lines.every((line) => l.lines.includes(line)), timeoutMs);
  }

  /**
   * Proves nothing more arrives: sends a marker through `client` and waits for it, so anything
   * sent before the marker has arrived too (one socket to one receiver on the loopback keeps
   * order). Returns the lines received before the marker since `from` datagrams.
   */
  async linesUntilMarker(client: StatsClient, from = 0): Promise<string[]> {
    const marker = `test.marker.${this.datagrams.length}`;
    client.send([{ key: marker, type: "counter", value: 1 }]);
    const line = `nodepool.${marker}:1|c`;
    await this.waitForLines([line]);
    const at = this.datagrams.findIndex((d) => d.lines.includes(line));
    return this.datagrams.slice(from, at).flatMap((d) => d.lines);
  }
}

/** A statsd client sending to `listener`, closed when the test ends. */
export function clientFor(t: TestContext, listener: StatsListener): StatsClient {
  const client = createStatsClient({ log: quietLogger, env: { STATSD_HOST: "127.0.0.1", STATSD_PORT: String(listener.port) } });
  t.after(() => client.close());
  return client;
}
