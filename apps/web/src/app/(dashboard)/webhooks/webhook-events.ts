import type { WebhookEventType } from "@bailey/core";

// A record over the core's type, so an event type added there fails the build until it has a label here.
const labels: Record<WebhookEventType, string> = {
  "run.succeeded": "A run exited 0",
  "run.failed": "A run failed (non-zero exit, or it could not start)",
  "run.timed_out": "A run was stopped at its timeout",
  "run.cancelled": "A run was stopped by someone",
  "run.lost": "A run's host stopped answering for it",
  "host.offline": "A host went offline",
  "host.online": "A host came back online",
};

export const webhookEventChoices = Object.entries(labels) as [WebhookEventType, string][];

/** Subscribes to every type, including ones added later. */
export const allEvents = "*";

export function describeEvents(events: readonly string[]): string {
  return events.includes(allEvents) ? "all events" : events.join(", ");
}
