import type { PrismaClient } from "@bailey/db";
import { appendAuditEvent } from "../audit";
import { auditActor, requireRole, teamScope, type TeamContext } from "../authz";
import { AppError } from "../errors";
import { currentSecretsKey, type SecretsKey } from "../secrets";
import { openWebhookSecret } from "./endpoints";
import { enqueueWebhookEvent } from "./enqueue";
import { webhookTestEventType } from "./event-types";
import { defaultWebhookTimeoutMs, postWebhook } from "./send-request";
import { webhookHeaders } from "./signature";

const deliveryView = {
  id: true,
  eventId: true,
  endpointId: true,
  state: true,
  attempts: true,
  nextAttemptAt: true,
  lastStatusCode: true,
  lastError: true,
  lastAttemptAt: true,
  succeededAt: true,
  createdAt: true,
  event: { select: { type: true, createdAt: true } },
  attemptsLog: {
    orderBy: { attempt: "asc" },
    select: { id: true, attempt: true, manual: true, startedAt: true, durationMs: true, statusCode: true, error: true, responseSnippet: true },
  },
} as const;

/** An endpoint's deliveries, newest first, each with its requests (members and above). */
export async function listWebhookDeliveries({ prisma, ctx, endpointId, limit = 50, before }: { prisma: PrismaClient; ctx: TeamContext; endpointId: string; limit?: number; before?: Date }) {
  requireRole(ctx, "member");
  const endpoint = await prisma.webhookEndpoint.findFirst({ where: teamScope(ctx, { id: endpointId }), select: { id: true } });
  if (!endpoint) throw AppError.notFound("Webhook endpoint");
  const rows = await prisma.webhookDelivery.findMany({
    where: { endpointId: endpoint.id, ...(before ? { createdAt: { lt: before } } : {}) },
    orderBy: { createdAt: "desc" },
    take: Math.min(Math.max(limit, 1), 200),
    select: deliveryView,
  });
  return rows.map(({ event, attemptsLog, ...row }) => ({ ...row, eventType: event.type, eventCreatedAt: event.createdAt, attemptLog: attemptsLog }));
}

/** The payload as stored and signed, for the delivery log. */
export async function getWebhookEventPayload({ prisma, ctx, eventId }: { prisma: PrismaClient; ctx: TeamContext; eventId: string }): Promise<unknown> {
  requireRole(ctx, "member");
  const event = await prisma.webhookEvent.findFirst({ where: teamScope(ctx, { id: eventId }), select: { payload: true } });
  if (!event) throw AppError.notFound("Webhook event");
  return event.payload;
}

/**
 * Sends a delivery's event again now, whatever its state (admins and owners), and records the
 * request as a manual attempt. A 2xx ends a pending or failed delivery as succeeded; a delivery
 * that had succeeded stays so, and a failed manual attempt changes no schedule. The same
 * webhook-id is sent: a receiver that drops repeats by it will drop this one too.
 */
export async function redeliverWebhook({
  prisma,
  ctx,
  deliveryId,
  key,
  timeoutMs = defaultWebhookTimeoutMs,
}: {
  prisma: PrismaClient;
  ctx: TeamContext;
  deliveryId: string;
  key?: SecretsKey;
  timeoutMs?: number;
}) {
  requireRole(ctx, "admin");
  const delivery = await prisma.webhookDelivery.findFirst({ where: teamScope(ctx, { id: deliveryId }), include: { event: true, endpoint: true } });
  if (!delivery) throw AppError.notFound("Webhook delivery");
  const body = JSON.stringify(delivery.event.payload);
  const headers = webhookHeaders(openWebhookSecret(key ?? currentSecretsKey(), delivery.endpoint), delivery.eventId, body);
  const startedAt = new Date();
  const response = await postWebhook(delivery.endpoint.url, headers, body, timeoutMs);
  const succeeded = response.statusCode !== null && response.statusCode >= 200 && response.statusCode < 300;
  return prisma.$transaction(async (tx) => {
    const sequence = await tx.webhookAttempt.count({ where: { deliveryId: delivery.id } });
    const attempt = await tx.webhookAttempt.create({
      data: {
        deliveryId: delivery.id,
        attempt: sequence + 1,
        manual: true,
        startedAt,
        durationMs: response.durationMs,
        statusCode: response.statusCode,
        error: response.error?.slice(0, 1000) ?? null,
        responseSnippet: response.snippet,
      },
    });
    if (succeeded) {
      // Not the automatic sender's lease: a pending delivery it holds is ended here and its own outcome is then not recorded.
      await tx.webhookDelivery.updateMany({
        where: { id: delivery.id, state: { in: ["pending", "failed"] } },
        data: { state: "succeeded", succeededAt: new Date(), leaseToken: null, leaseUntil: null, lastStatusCode: response.statusCode, lastError: null, lastAttemptAt: startedAt },
      });
    }
    await appendAuditEvent(tx, {
      teamId: ctx.teamId,
      ...auditActor(ctx),
      action: "webhook.redelivered",
      targetType: "webhook",
      targetId: delivery.endpointId,
      data: { deliveryId: delivery.id, eventId: delivery.eventId, type: delivery.event.type, statusCode: response.statusCode, error: response.error },
    });
    return attempt;
  });
}

/** Queues a `webhook.test` event for one endpoint (admins and owners); the sender delivers it like any other. */
export async function sendTestWebhook({ prisma, ctx, endpointId }: { prisma: PrismaClient; ctx: TeamContext; endpointId: string }): Promise<{ eventId: string }> {
  requireRole(ctx, "admin");
  return prisma.$transaction(async (tx) => {
    const endpoint = await tx.webhookEndpoint.findFirst({ where: teamScope(ctx, { id: endpointId }), select: { id: true, enabled: true, url: true } });
    if (!endpoint) throw AppError.notFound("Webhook endpoint");
    if (!endpoint.enabled) throw new AppError("CONFLICT", "This endpoint is disabled: enable it first, then send the test event.");
    const eventId = await enqueueWebhookEvent(tx, { teamId: ctx.teamId, type: webhookTestEventType, endpointId: endpoint.id, data: { message: "A test event from Bailey's Webhooks page." } });
    if (!eventId) throw new AppError("CONFLICT", "The endpoint could not take the test event; reload and try again.");
    await appendAuditEvent(tx, { teamId: ctx.teamId, ...auditActor(ctx), action: "webhook.test_sent", targetType: "webhook", targetId: endpoint.id, data: { eventId, url: endpoint.url } });
    return { eventId };
  });
}
