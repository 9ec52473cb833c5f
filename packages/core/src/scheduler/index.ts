export { tick, type TickOptions, type TickReport } from "./tick";
export { placeQueuedRuns, chooseHost, fairOrder } from "./place";
export { dispatchScheduledRuns } from "./dispatch";
export { ingestHostEvents } from "./ingest";
export { HostConnections, type HostEndpoint, type HostConnectionsOptions } from "./host-connections";
export { scheduleNow } from "./schedule-now";
export { reconcileHost } from "./reconcile";
