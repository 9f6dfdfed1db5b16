/** `nodepool plan` and `nodepool apply`: observing once, the planned actions as entries, their text and JSON. */
export { ALL_PROVIDERS_GROUP, IMAGES_GROUP, builderEntry, launcherEntry, planEntries, type Marker, type PlanEntry } from "./entries.ts";
export { NO_CHANGES, countLine, entryLine, groupEntries, renderPlan } from "./render.ts";
export { observeOnce, planObservation, ProviderUnavailableError, type Observation, type ObserveOnceOptions } from "./observe-once.ts";
export { redact, secretValues } from "./redact.ts";
export { applyPlan, type ApplyOptions, type ApplyResult } from "./apply.ts";
