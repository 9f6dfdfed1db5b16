/**
 * Every cloud API call a driver makes, as one process-wide stream: statsd's
 * `nodepool.task.<provider>.<Operation>` timers listen here, whichever daemon made the provider.
 */
import { EventEmitter } from "node:events";

export interface ApiCallEvent {
  provider: string;
  /** The call (`CreateServer`, `ListServers`, `UploadImage`, ...). */
  operation: string;
  ms: number;
  /** HTTP status, or null when the cloud could not be reached. */
  status: number | null;
}

export const apiCallEvents = new EventEmitter<{ call: [ApiCallEvent] }>();
