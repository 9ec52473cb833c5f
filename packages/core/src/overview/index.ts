export { failedRunStates, type HostFailures, type HostUtilisation } from "./hosts";
export type { QueueDepthAt } from "./queue-depth";
export { type RunOutcome, runOutcomes, type RunsInHour } from "./runs-per-hour";
export type { StartLatency, StartLatencyInHour } from "./start-latency";
export { type TeamOverview, type TeamOverviewOptions, teamOverview } from "./team-overview";
export { maxOverviewHours } from "./window";
