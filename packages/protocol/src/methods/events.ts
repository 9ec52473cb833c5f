import { z } from "zod";
import { agentRunState } from "./run";

/**
 * What each event type's `data` carries. Loose objects: a newer agent may add fields
 * (that does not bump the protocol version), so readers take what they know.
 */
export const agentEventData = {
  "run.created": z.looseObject({ image: z.string(), dependencies: z.array(z.string()), sandbox: z.string() }),
  "run.state": z.looseObject({ state: agentRunState, exitCode: z.number().int().nullable().optional(), graceSeconds: z.number().optional() }),
  "run.failed": z.looseObject({ error: z.string().nullable(), during: z.string().optional() }),
  "run.timed_out": z.looseObject({ timeoutSeconds: z.number().optional() }),
  "network.created": z.looseObject({ networkId: z.string(), name: z.string() }),
  "network.removed": z.looseObject({ networkId: z.string().nullable(), name: z.string() }),
  "sidecar.started": z.looseObject({ role: z.string(), containerId: z.string(), name: z.string(), image: z.string().optional() }),
  "sidecar.stopped": z.looseObject({ role: z.string(), containerId: z.string(), name: z.string() }),
  "container.created": z.looseObject({ containerId: z.string().nullable(), name: z.string().optional() }),
  "container.started": z.looseObject({ containerId: z.string().nullable() }),
  "container.exited": z.looseObject({ exitCode: z.number().int().nullable(), error: z.string().optional() }),
  // Image pulls (a run's, with its runId, or a pre-pull without one). `registry` is host[:port].
  "image.pull_started": z.looseObject({ image: z.string(), registry: z.string(), shared: z.boolean().optional() }),
  // Throttled (at most about one a second per pull and run); bytesTotal is 0 while unknown.
  "image.pull_progress": z.looseObject({ image: z.string(), bytesDone: z.number(), bytesTotal: z.number() }),
  "image.pulled": z.looseObject({ image: z.string(), digest: z.string().nullable(), bytes: z.number().optional(), durationMs: z.number().optional(), cached: z.boolean().optional() }),
  "image.pull_failed": z.looseObject({ image: z.string(), registry: z.string(), reason: z.enum(["not_found", "unauthorized", "unreachable", "never", "other"]), message: z.string() }),
  // From the run's egress proxy: one `allowed` per closed connection (or plain-HTTP request), one `denied` per refusal.
  "egress.allowed": z.looseObject({ host: z.string(), port: z.number().int(), via: z.string(), bytesIn: z.number(), bytesOut: z.number() }),
  "egress.denied": z.looseObject({ host: z.string(), port: z.number().int(), reason: z.string() }),
  // Building a run's image (spec.build): which builder was tried and why, then the outcome.
  "build.started": z.looseObject({ image: z.string(), context: z.string().nullable() }),
  // buildah: a Podman host's own builder (its compat build API).
  "build.builder": z.looseObject({ image: z.string(), builder: z.enum(["buildkit-endpoint", "engine-buildkit", "legacy", "buildah"]), reason: z.string() }),
  "build.finished": z.looseObject({ image: z.string(), builder: z.enum(["buildkit-endpoint", "engine-buildkit", "legacy", "buildah"]), durationMs: z.number() }),
  "build.failed": z.looseObject({ image: z.string(), message: z.string() }),
  // A run's workspace (spec.workspace): cloned at `commit` (null for an empty workspace), or not.
  "workspace.ready": z.looseObject({ commit: z.string().nullable(), durationMs: z.number() }),
  "workspace.failed": z.looseObject({ message: z.string() }),
  // Journaled once the run's results are collected on the host (run.results then answers `ready`).
  "results.ready": z.looseObject({ files: z.number().int(), bytes: z.number(), missing: z.array(z.object({ name: z.string(), reason: z.string() })) }),
  // spec.push's outcome.
  "push.succeeded": z.looseObject({ branch: z.string(), commit: z.string() }),
  "push.failed": z.looseObject({ branch: z.string(), message: z.string() }),
  "resource.removed": z.looseObject({ kind: z.string(), id: z.string(), name: z.string(), reason: z.string().optional() }),
} as const;

export type AgentEventType = keyof typeof agentEventData;
export const agentEventTypes = Object.keys(agentEventData) as [AgentEventType, ...AgentEventType[]];
export type AgentEventDataOf<T extends AgentEventType> = z.infer<(typeof agentEventData)[T]>;

/**
 * One entry of the agent's journal. `seq` is a plain JS number: exact up to 2^53 - 1
 * (zod's `.int()` refuses anything beyond), which at a million events a second lasts
 * 285 years; store it as bigint in the database if you like, but it travels as a number.
 * `data` travels as an open record (see `agentEventData` for its shape per type).
 */
export const agentEvent = z.object({
  seq: z.number().int().positive(),
  at: z.string(),
  type: z.enum(agentEventTypes),
  runId: z.string().optional(),
  data: z.record(z.string(), z.unknown()),
});
export type AgentEvent = z.infer<typeof agentEvent>;

/** The typed `data` of `event` when it is of `type` and its data has the documented shape; otherwise null. */
export function eventData<T extends AgentEventType>(event: AgentEvent, type: T): AgentEventDataOf<T> | null {
  if (event.type !== type) return null;
  const parsed = (agentEventData[type] as z.ZodType).safeParse(event.data);
  return parsed.success ? (parsed.data as AgentEventDataOf<T>) : null;
}

export const eventMethods = {
  "events.pull": {
    params: z.object({ afterSeq: z.number().int().min(0), limit: z.number().int().min(1).max(10_000).default(500) }).strict(),
    result: z.object({ events: z.array(agentEvent), lastSeq: z.number().int().min(0) }),
  },
  "events.ack": {
    params: z.object({ seq: z.number().int().min(0) }).strict(),
    result: z.object({ ackedSeq: z.number().int().min(0) }),
  },
} as const;
