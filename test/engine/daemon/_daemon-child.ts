/**
 * A stand-in for a daemonised command, for the tests of daemonise(): reports as the first
 * argument says (`started`, `failed`, `crash` without a report, `silent` running on without one).
 */
import { daemonChild } from "../../../engine/daemon/daemonise.ts";

const reporter = daemonChild();
const how = process.argv[2];
if (how === "started") await reporter.started();
if (how === "failed") await reporter.failed("nodepool-launcher: it went wrong", 7);
if (how === "crash") process.exit(3);
if (how === "silent") setInterval(() => undefined, 60_000);
