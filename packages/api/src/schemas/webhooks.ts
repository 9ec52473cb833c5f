import { z } from "zod";
import { allWebhookEvents, maxWebhookDescriptionLength, maxWebhookUrlLength, webhookEventTypes } from "@bailey/core";
import { cuid, timestamp } from "./json-types";

const eventChoices = [...webhookEventTypes, allWebhookEvents] as const;
const eventTypeRule = `use ${webhookEventTypes.join(", ")} or "*" for every type`;

const eventType = z.enum(eventChoices, { error: `Unknown event type: ${eventTypeRule}` });
const events = z
  .array(eventType)
  .min(1, `Subscribe to at least one event type: ${eventTypeRule}`)
  .max(eventChoices.length)
  .describe(`The event types the endpoint receives: ${webhookEventTypes.join(", ")}; ["*"] for every type, including ones added later`);
const url = z
  .string()
  .trim()
  .min(1, "Give the URL Bailey POSTs events to, e.g. https://ci.example.com/bailey-webhook")
  .max(maxWebhookUrlLength)
  .describe("https:// to any host; plain http:// only to loopback or private addresses (e.g. http://127.0.0.1:8080/hook)");
const description = z.string().max(maxWebhookDescriptionLength);
const deliveryState = z.enum(["pending", "succeeded", "failed"]);
export type WebhookDeliveryState = z.infer<typeof deliveryState>;

/** An endpoint as any member sees it: never its secret. */
export const webhookEndpoint = z.object({
  id: cuid,
  url: z.string(),
  description: z.string().nullable(),
  events: z.array(z.string()),
  enabled: z.boolean().describe("A disabled endpoint gets no new events; its queued deliveries wait until it is enabled"),
  createdById: z.string().nullable(),
  createdAt: timestamp,
  updatedAt: timestamp,
});

export const webhookEndpointsOutput = z.object({ endpoints: z.array(webhookEndpoint) });
export const webhookEndpointOutput = z.object({ endpoint: webhookEndpoint });
/** Returned by create and rotate only: the secret is never shown again. */
export const webhookEndpointWithSecretOutput = z.object({
  endpoint: webhookEndpoint,
  secret: z.string().describe("The whsec_… signing secret, shown this once: keep it where the receiver verifies webhook-signature"),
});

export const createWebhookEndpointInput = z.object({ url, events, description: description.optional() }).strict();

export const updateWebhookEndpointInput = z
  .object({
    id: cuid,
    url: url.optional().describe("A new URL; omit to keep it"),
    events: events.optional().describe("The new subscription (replaces the old one); omit to keep it"),
    description: description.nullable().optional().describe("A new description; omit to keep it, null or empty to clear it"),
    enabled: z.boolean().optional().describe("false pauses deliveries to the endpoint; true resumes them"),
  })
  .strict();

export const webhookAttempt = z.object({
  id: cuid,
  attempt: z.number().int().describe("1 for the first request of the delivery, then 2, 3, …"),
  manual: z.boolean().describe("Sent by a Redeliver, not by the automatic sender"),
  startedAt: timestamp,
  durationMs: z.number().int().nullable(),
  statusCode: z.number().int().nullable().describe("The receiver's HTTP status; null when no answer came (see error)"),
  error: z.string().nullable(),
  responseSnippet: z.string().nullable().describe("The answer's first KiB"),
});

export const webhookDelivery = z.object({
  id: cuid,
  eventId: z.string().describe("The event id, sent as webhook-id: receivers drop repeats by it"),
  endpointId: cuid,
  eventType: z.string(),
  eventCreatedAt: timestamp,
  state: deliveryState.describe("pending: waiting for its next attempt; succeeded: a 2xx came back; failed: every automatic attempt failed (Redeliver still can)"),
  attempts: z.number().int().describe("Automatic attempts so far"),
  nextAttemptAt: timestamp.describe("When a pending delivery is tried next"),
  lastStatusCode: z.number().int().nullable(),
  lastError: z.string().nullable(),
  lastAttemptAt: timestamp.nullable(),
  succeededAt: timestamp.nullable(),
  createdAt: timestamp,
  attemptLog: z.array(webhookAttempt),
});

// A cursor as the audit log's: Postgres timestamps span the years 1 to 9999 here.
const deliveryDate = z
  .date()
  .refine((date) => date.getUTCFullYear() >= 1 && date.getUTCFullYear() <= 9999, "Pick a date between the years 1 and 9999.")
  .meta({ override: { type: "string", format: "date-time" } });

export const webhookDeliveriesInput = z
  .object({
    id: cuid.describe("The endpoint"),
    limit: z.number().int().min(1).max(200).default(50),
    /** The previous page's nextBefore. */
    before: deliveryDate.optional().describe("Deliveries created before this instant: the previous page's nextBefore"),
    // What an infinite query sends as its page parameter (the previous page's nextBefore).
    cursor: deliveryDate.nullish(),
    // What an infinite query adds to its input; the order is always newest first.
    direction: z.enum(["forward", "backward"]).optional(),
  })
  .strict();

export const webhookDeliveriesOutput = z.object({
  deliveries: z.array(webhookDelivery),
  nextBefore: timestamp.nullable().describe("Pass as before for the next (older) page; null on the last page"),
});

export const webhookRedeliverOutput = z.object({ attempt: webhookAttempt });
export const webhookTestOutput = z.object({ eventId: z.string().describe("The queued webhook.test event; it appears in the endpoint's deliveries") });
