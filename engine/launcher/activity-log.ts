/**
 * The launcher's log of what it did, one line per event with the ids an operator greps for:
 * a request accepted and fulfilled, a node launched (with its result class and duration) or its
 * launch abandoned at shutdown, a leaked server scheduled for deletion, a static node
 * registered (logged by the executor with its id), deregistered or updated, a node deleted. Declines
 * and failures are logged where they are decided, with their reason.
 */
import type { Logger } from "../log.ts";
import type { EngineEventEmitter } from "../reconcile/events.ts";

export function logActivity(events: EngineEventEmitter, log: Logger): void {
  events.on("request", ({ request, outcome, requestor, durationMs }) => {
    if (outcome === "accepted") log.info({ request, requestor }, "request accepted");
    else if (outcome === "fulfilled") log.info({ request, requestor, durationMs: Math.round(durationMs) }, "request fulfilled");
  });
  events.on("launch", ({ node, request, provider, pool, label, az, result, durationMs }) => {
    const fields = { node, request, provider, pool, label, az, result, durationMs: Math.round(durationMs) };
    if (result === "ready") log.info(fields, "node ready");
    else if (result === "abandoned") log.info(fields, "launch abandoned at shutdown");
    else log.warn(fields, "node launch failed");
  });
  // The leak event counts servers; the completed action names the server.
  events.on("action", ({ action, ok }) => {
    if (!ok) return;
    if (action.kind === "leaked-server") log.info({ provider: action.provider, server: action.server, reason: action.reason }, "leaked server scheduled for deletion");
    else if (action.kind === "deregister-node" || action.kind === "update-node") {
      const fields = { provider: action.provider, node: action.node, host: action.host, reason: action.reason };
      log.info(fields, action.kind === "deregister-node" ? "static node deregistered" : "static node updated");
    }
  });
  events.on("node-deleted", ({ node, provider }) => log.info({ node, provider }, "node deleted"));
}
