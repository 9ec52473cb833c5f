import { randomBytes } from "node:crypto";
import type { Prisma, RunState } from "@bailey/db";
import { allWebhookEvents, webhookRunStates, type WebhookEventType } from "./event-types";
import { webhookPublicUrl } from "./env";

/** An event id: what `webhook-id` carries and what receivers drop repeats by. */
export const newWebhookEventId = () => `msg_${randomBytes(16).toString("base64url")}`;

export interface EnqueueWebhookEventOptions {
  teamId: string;
  type: WebhookEventType | "webhook.test";
  data: Record<string, unknown>;
  /** Only this endpoint (a test event); otherwise every enabled endpoint subscribed to the type. */
  endpointId?: string;
}

/**
 * Writes the event and one pending delivery per subscribed, enabled endpoint inside the
 * caller's transaction (the outbox): the event exists exactly when the change it reports
 * committed. Nothing is written when no endpoint wants it. Returns the event id, or null.
 */
export async function enqueueWebhookEvent(tx: Prisma.TransactionClient, { teamId, type, data, endpointId }: EnqueueWebhookEventOptions): Promise<string | null> {
  const endpoints = await tx.webhookEndpoint.findMany({
    where: { teamId, enabled: true, ...(endpointId ? { id: endpointId } : { OR: [{ events: { has: type } }, { events: { has: allWebhookEvents } }] }) },
    select: { id: true },
  });
  if (endpoints.length === 0) return null;
  const team = await tx.team.findUniqueOrThrow({ where: { id: teamId }, select: { id: true, slug: true } });
  const id = newWebhookEventId();
  const createdAt = new Date();
  const payload = { id, type, createdAt: createdAt.toISOString(), team, data };
  await tx.webhookEvent.create({ data: { id, teamId, type, payload: payload as Prisma.InputJsonValue, createdAt } });
  await tx.webhookDelivery.createMany({ data: endpoints.map((endpoint) => ({ teamId, eventId: id, endpointId: endpoint.id, nextAttemptAt: createdAt })) });
  return id;
}

/** The `run.<state>` event for a run that just reached a final state (called by transitionRun in its transaction). */
export async function enqueueRunWebhook(tx: Prisma.TransactionClient, runId: string, state: RunState): Promise<string | null> {
  if (!(webhookRunStates as readonly string[]).includes(state)) return null;
  const run = await tx.run.findUniqueOrThrow({
    where: { id: runId },
    select: { id: true, teamId: true, name: true, state: true, exitCode: true, stateReason: true, hostId: true, startedAt: true, finishedAt: true },
  });
  const path = `/runs/${run.id}`;
  const base = webhookPublicUrl();
  return enqueueWebhookEvent(tx, {
    teamId: run.teamId,
    type: `run.${state}` as WebhookEventType,
    data: {
      run: {
        id: run.id,
        name: run.name,
        state: run.state,
        exitCode: run.exitCode,
        reason: run.stateReason,
        hostId: run.hostId,
        startedAt: run.startedAt?.toISOString() ?? null,
        finishedAt: run.finishedAt?.toISOString() ?? null,
        url: base ? `${base}${path}` : path,
      },
    },
  });
}

/** `host.offline` / `host.online` when the scheduler marks a host so (in the same transaction as the status change). */
export async function enqueueHostWebhook(tx: Prisma.TransactionClient, hostId: string, type: "host.offline" | "host.online"): Promise<string | null> {
  const host = await tx.host.findUniqueOrThrow({ where: { id: hostId }, select: { id: true, teamId: true, name: true, status: true, statusReason: true, lastSeenAt: true } });
  return enqueueWebhookEvent(tx, {
    teamId: host.teamId,
    type,
    data: { host: { id: host.id, name: host.name, status: host.status, reason: host.statusReason, lastSeenAt: host.lastSeenAt?.toISOString() ?? null } },
  });
}
