import { z } from "zod";

export const agentEventTypes = [
  "run.created",
  "run.state",
  "network.created",
  "network.removed",
  "sidecar.started",
  "sidecar.stopped",
  "container.created",
  "container.started",
  "container.exited",
  "run.timed_out",
  "run.failed",
  "resource.removed",
] as const;

/** Sequence numbers are JS numbers: exact to 2^53, far beyond any host's lifetime of events. */
export const agentEvent = z.object({
  seq: z.number().int().positive(),
  at: z.string(),
  type: z.enum(agentEventTypes),
  runId: z.string().optional(),
  data: z.record(z.string(), z.unknown()),
});
export type AgentEvent = z.infer<typeof agentEvent>;

export const eventMethods = {
  "events.pull": {
    params: z.object({ afterSeq: z.number().int().min(0), limit: z.number().int().min(1).max(10_000).default(500) }).strict(),
    result: z.object({ events: z.array(agentEvent), lastSeq: z.number().int() }),
  },
  "events.ack": {
    params: z.object({ seq: z.number().int().min(0) }).strict(),
    result: z.object({ ackedSeq: z.number().int() }),
  },
} as const;
