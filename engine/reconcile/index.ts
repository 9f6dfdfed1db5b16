/**
 * The reconcile engine: desired and observed state, the pure `plan()`, its actions (printable
 * with markers and reasons), the executor's events. What other modules import.
 */
export { plan, nextDeadline } from "./plan.ts";
export { describeAction, groupByProvider, markerOf } from "./actions.ts";
export type { Action, Marker } from "./actions.ts";
export { desiredFromConfig, supportedLabels, type LauncherIdentity } from "./desired.ts";
export { EngineEventEmitter } from "./events.ts";
export type { ActionEvent, EngineEvents, LaunchEvent, LeakEvent, PoolEvent, RequestEvent } from "./events.ts";
export type { Desired, Handler, KeySet, LabelImage, Observed, ObservedNode, ObservedRequest, PoolDesired, ProviderDesired, ProviderObserved } from "./state.ts";
