/** What an endpoint can subscribe to. Run events are sent when a run reaches that final state. */
export const webhookEventTypes = ["run.succeeded", "run.failed", "run.timed_out", "run.cancelled", "run.lost", "host.offline", "host.online"] as const;
export type WebhookEventType = (typeof webhookEventTypes)[number];

/** Sent only to the endpoint someone asked to test ("Send test event"), whatever it subscribes to. */
export const webhookTestEventType = "webhook.test";

/** An endpoint's subscription: known types, or ["*"] for every type (including ones added later). */
export const allWebhookEvents = "*";

export function isWebhookEventType(value: string): value is WebhookEventType {
  return (webhookEventTypes as readonly string[]).includes(value);
}

/** The run states whose reaching sends a `run.<state>` event. */
export const webhookRunStates = ["succeeded", "failed", "timed_out", "cancelled", "lost"] as const;
