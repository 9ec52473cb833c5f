import type { Prisma, PrismaClient } from "@bailey/db";
import { appendAuditEvent } from "../audit";
import { auditActor, requireRole, teamScope, type TeamContext } from "../authz";
import { AppError } from "../errors";
import { currentSecretsKey, openValue, sealValue, type SecretsKey } from "../secrets";
import { allWebhookEvents, isWebhookEventType, webhookEventTypes } from "./event-types";
import { newWebhookSecret } from "./signature";
import { parseWebhookUrl } from "./webhook-url";

export const maxWebhookEndpointsPerTeam = 20;
export const maxWebhookDescriptionLength = 500;

/** What an endpoint's secret is sealed to: a ciphertext copied to another endpoint's row fails to open. */
export const webhookSecretContext = (teamId: string, endpointId: string) => ["webhook", teamId, endpointId] as const;

const endpointRow = { id: true, url: true, description: true, events: true, enabled: true, createdAt: true, updatedAt: true, createdById: true } as const satisfies Prisma.WebhookEndpointSelect;

/** An endpoint as members see it: never its secret. */
export type WebhookEndpointView = Prisma.WebhookEndpointGetPayload<{ select: typeof endpointRow }>;

export function parseWebhookEvents(events: readonly string[]): string[] {
  const unique = [...new Set(events.map((event) => event.trim()))];
  if (unique.length === 0) throw new AppError("BAD_REQUEST", `Subscribe to at least one event type (${webhookEventTypes.join(", ")}), or "*" for all.`);
  if (unique.includes(allWebhookEvents)) return [allWebhookEvents];
  const unknown = unique.filter((event) => !isWebhookEventType(event));
  if (unknown.length) throw new AppError("BAD_REQUEST", `Unknown event type ${unknown.map((e) => JSON.stringify(e.slice(0, 40))).join(", ")}: use ${webhookEventTypes.join(", ")} or "*".`);
  return unique;
}

function parseDescription(description: string | null | undefined): string | null {
  const trimmed = description?.trim() ?? "";
  if (trimmed.length > maxWebhookDescriptionLength) throw new AppError("BAD_REQUEST", `Shorten the description to ${maxWebhookDescriptionLength} characters (it has ${trimmed.length}).`);
  return trimmed || null;
}

/** Members and above see the team's endpoints and their delivery logs; viewers do not (responses may carry a receiver's details). */
export async function listWebhookEndpoints({ prisma, ctx }: { prisma: PrismaClient; ctx: TeamContext }): Promise<WebhookEndpointView[]> {
  requireRole(ctx, "member");
  return prisma.webhookEndpoint.findMany({ where: teamScope(ctx), orderBy: { createdAt: "asc" }, select: endpointRow });
}

export async function getWebhookEndpoint({ prisma, ctx, endpointId }: { prisma: PrismaClient; ctx: TeamContext; endpointId: string }): Promise<WebhookEndpointView> {
  requireRole(ctx, "member");
  const row = await prisma.webhookEndpoint.findFirst({ where: teamScope(ctx, { id: endpointId }), select: endpointRow });
  if (!row) throw AppError.notFound("Webhook endpoint");
  return row;
}

export interface CreateWebhookEndpointOptions {
  prisma: PrismaClient;
  ctx: TeamContext;
  url: string;
  events: readonly string[];
  description?: string | null;
  key?: SecretsKey;
}

/** Adds an endpoint (admins and owners). The secret is returned here once; only its sealed form is kept. */
export async function createWebhookEndpoint({
  prisma,
  ctx,
  url: urlInput,
  events: eventsInput,
  description: descriptionInput,
  key,
}: CreateWebhookEndpointOptions): Promise<{ endpoint: WebhookEndpointView; secret: string }> {
  requireRole(ctx, "admin");
  const url = parseWebhookUrl(urlInput);
  const events = parseWebhookEvents(eventsInput);
  const description = parseDescription(descriptionInput);
  const sealingKey = key ?? currentSecretsKey({ forSealing: true });
  const secret = newWebhookSecret();
  return prisma.$transaction(async (tx) => {
    const count = await tx.webhookEndpoint.count({ where: teamScope(ctx) });
    if (count >= maxWebhookEndpointsPerTeam) throw new AppError("CONFLICT", `The team has ${count} webhook endpoints, the most allowed: delete one it no longer uses first.`);
    // The id is part of what the secret is sealed to, so the row is made first and sealed after.
    const placeholder = { secretCiphertext: new Uint8Array(0), secretIv: new Uint8Array(0), secretAuthTag: new Uint8Array(0), secretKeyId: "" };
    const created = await tx.webhookEndpoint.create({ data: { teamId: ctx.teamId, url, events, description, createdById: ctx.actor.userId, ...placeholder }, select: { id: true } });
    const endpoint = await tx.webhookEndpoint.update({ where: { id: created.id }, data: sealedColumns(sealingKey, secret, ctx.teamId, created.id), select: endpointRow });
    await appendAuditEvent(tx, { teamId: ctx.teamId, ...auditActor(ctx), action: "webhook.created", targetType: "webhook", targetId: endpoint.id, data: { url, events, description } });
    return { endpoint, secret };
  });
}

function sealedColumns(key: SecretsKey, secret: string, teamId: string, endpointId: string) {
  const sealed = sealValue(key, secret, webhookSecretContext(teamId, endpointId));
  return { secretCiphertext: sealed.ciphertext, secretIv: sealed.iv, secretAuthTag: sealed.authTag, secretKeyId: sealed.keyId };
}

/** The endpoint's signing secret, opened for sending. */
export function openWebhookSecret(key: SecretsKey, row: { teamId: string; id: string; secretCiphertext: Uint8Array; secretIv: Uint8Array; secretAuthTag: Uint8Array; secretKeyId: string }): string {
  return openValue(
    key,
    { ciphertext: new Uint8Array(row.secretCiphertext), iv: new Uint8Array(row.secretIv), authTag: new Uint8Array(row.secretAuthTag), keyId: row.secretKeyId },
    webhookSecretContext(row.teamId, row.id),
  );
}

export interface UpdateWebhookEndpointOptions {
  prisma: PrismaClient;
  ctx: TeamContext;
  endpointId: string;
  url?: string;
  events?: readonly string[];
  /** Omitted keeps it; null or "" clears it. */
  description?: string | null;
  enabled?: boolean;
}

/** Changes an endpoint (admins and owners). Deliveries already queued keep going to it, at its new URL; disabling pauses them. */
export async function updateWebhookEndpoint({
  prisma,
  ctx,
  endpointId,
  url: urlInput,
  events: eventsInput,
  description: descriptionInput,
  enabled,
}: UpdateWebhookEndpointOptions): Promise<WebhookEndpointView> {
  requireRole(ctx, "admin");
  if (urlInput === undefined && eventsInput === undefined && descriptionInput === undefined && enabled === undefined)
    throw new AppError("BAD_REQUEST", "Give at least one of url, events, description or enabled to change.");
  const url = urlInput === undefined ? undefined : parseWebhookUrl(urlInput);
  const events = eventsInput === undefined ? undefined : parseWebhookEvents(eventsInput);
  const description = descriptionInput === undefined ? undefined : parseDescription(descriptionInput);
  return prisma.$transaction(async (tx) => {
    const existing = await tx.webhookEndpoint.findFirst({ where: teamScope(ctx, { id: endpointId }), select: endpointRow });
    if (!existing) throw AppError.notFound("Webhook endpoint");
    const row = await tx.webhookEndpoint.update({
      where: { id: existing.id },
      data: {
        ...(url === undefined ? {} : { url }),
        ...(events === undefined ? {} : { events }),
        ...(description === undefined ? {} : { description }),
        ...(enabled === undefined ? {} : { enabled }),
      },
      select: endpointRow,
    });
    const changed = Object.fromEntries(
      (["url", "events", "description", "enabled"] as const)
        .filter((field) => JSON.stringify(existing[field]) !== JSON.stringify(row[field]))
        .map((field) => [field, { from: existing[field], to: row[field] }]),
    );
    await appendAuditEvent(tx, { teamId: ctx.teamId, ...auditActor(ctx), action: "webhook.updated", targetType: "webhook", targetId: row.id, data: { url: row.url, changed } });
    return row;
  });
}

/** A new secret for the endpoint (admins and owners), returned once; requests are signed with it from the next one on. */
export async function rotateWebhookSecret({
  prisma,
  ctx,
  endpointId,
  key,
}: {
  prisma: PrismaClient;
  ctx: TeamContext;
  endpointId: string;
  key?: SecretsKey;
}): Promise<{ endpoint: WebhookEndpointView; secret: string }> {
  requireRole(ctx, "admin");
  const sealingKey = key ?? currentSecretsKey({ forSealing: true });
  const secret = newWebhookSecret();
  return prisma.$transaction(async (tx) => {
    const existing = await tx.webhookEndpoint.findFirst({ where: teamScope(ctx, { id: endpointId }), select: { id: true } });
    if (!existing) throw AppError.notFound("Webhook endpoint");
    const endpoint = await tx.webhookEndpoint.update({ where: { id: existing.id }, data: sealedColumns(sealingKey, secret, ctx.teamId, existing.id), select: endpointRow });
    await appendAuditEvent(tx, { teamId: ctx.teamId, ...auditActor(ctx), action: "webhook.secret_rotated", targetType: "webhook", targetId: endpoint.id, data: { url: endpoint.url } });
    return { endpoint, secret };
  });
}

/** Deletes an endpoint and its delivery log (admins and owners); pending deliveries to it are dropped. */
export async function deleteWebhookEndpoint({ prisma, ctx, endpointId }: { prisma: PrismaClient; ctx: TeamContext; endpointId: string }): Promise<WebhookEndpointView> {
  requireRole(ctx, "admin");
  return prisma.$transaction(async (tx) => {
    const existing = await tx.webhookEndpoint.findFirst({ where: teamScope(ctx, { id: endpointId }), select: endpointRow });
    if (!existing) throw AppError.notFound("Webhook endpoint");
    await tx.webhookEndpoint.delete({ where: { id: existing.id } });
    await appendAuditEvent(tx, { teamId: ctx.teamId, ...auditActor(ctx), action: "webhook.deleted", targetType: "webhook", targetId: existing.id, data: { url: existing.url } });
    return existing;
  });
}
