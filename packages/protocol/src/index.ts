export * from "./framing";
export * from "./errors";
export * from "./version";
export * from "./method-map";
export * from "./peer";
export { runSpec, runId, agentRun, agentRunState, dependency, type RunSpec, type AgentRun, type AgentRunState } from "./methods/run";
export { agentEvent, agentEventTypes, type AgentEvent } from "./methods/events";
export { removedResource } from "./methods/host";
