import { randomUUID } from "node:crypto";
import type { PrismaClient } from "@bailey/db";
import { currentSecretsKey, type SecretsKey } from "../secrets";
import { openWebhookSecret } from "./endpoints";
import { defaultRetryBaseMs, nextRetryDelayMs } from "./retry";
import { defaultWebhookTimeoutMs, postWebhook, type WebhookResponse } from "./send-request";
import { webhookHeaders } from "./signature";
import { lineLogger, logger } from "../observability/logger";

export interface WebhookSendOptions {
  prisma: PrismaClient;
  /** Opens the endpoints' secrets; this server's secrets key by default. */
  key?: SecretsKey;
  /** Each request is cut off after this long (10 s by default). */
  timeoutMs?: number;
  /** How long a claim is held: past it, another sender takes the delivery over (the claimer may have died). */
  leaseMs?: number;
  /** The first retry's gap; later ones grow from it (10 s by default; tests shorten it). */
  retryBaseMs?: number;
}

interface Claimed {
  id: string;
  attempts: number;
}

const leaseMsFor = (options: WebhookSendOptions) => options.leaseMs ?? (options.timeoutMs ?? defaultWebhookTimeoutMs) + 20_000;

/**
 * Claims up to `limit` due deliveries (pending, next attempt reached, no live lease, endpoint
 * enabled) for this sender and commits the claim before anything is sent. SKIP LOCKED: two
 * senders claiming at once take different rows.
 */
export async function claimDueWebhookDeliveries(prisma: PrismaClient, limit: number, leaseMs: number): Promise<{ token: string; claimed: Claimed[] }> {
  const token = randomUUID();
  const claimed = await prisma.$queryRaw<Claimed[]>`
    UPDATE "WebhookDelivery" SET "leaseToken" = ${token}, "leaseUntil" = (now() AT TIME ZONE 'UTC') + make_interval(secs => ${leaseMs / 1000})
    WHERE id IN (
      SELECT d.id FROM "WebhookDelivery" d JOIN "WebhookEndpoint" e ON e.id = d."endpointId"
      WHERE d.state = 'pending' AND e.enabled
        AND d."nextAttemptAt" <= (now() AT TIME ZONE 'UTC')
        AND (d."leaseUntil" IS NULL OR d."leaseUntil" < (now() AT TIME ZONE 'UTC'))
      ORDER BY d."nextAttemptAt", d."createdAt" LIMIT ${limit}
      FOR UPDATE OF d SKIP LOCKED
    )
    RETURNING id, attempts`;
  return { token, claimed };
}

/** The request for one delivery: the stored payload, signed with its endpoint's secret now. */
async function prepare(prisma: PrismaClient, deliveryId: string, key: SecretsKey) {
  const delivery = await prisma.webhookDelivery.findUniqueOrThrow({ where: { id: deliveryId }, include: { event: true, endpoint: true } });
  const body = JSON.stringify(delivery.event.payload);
  let headers: Record<string, string>;
  try {
    headers = webhookHeaders(openWebhookSecret(key, delivery.endpoint), delivery.eventId, body);
  } catch (error) {
    return { delivery, request: null, error: `cannot sign: ${(error as Error).message}` };
  }
  return { delivery, request: { url: delivery.endpoint.url, headers, body }, error: null };
}

async function send(prisma: PrismaClient, deliveryId: string, options: WebhookSendOptions): Promise<{ response: WebhookResponse; startedAt: Date }> {
  const startedAt = new Date();
  const { request, error } = await prepare(prisma, deliveryId, options.key ?? currentSecretsKey());
  const response = request ? await postWebhook(request.url, request.headers, request.body, options.timeoutMs) : { statusCode: null, error, snippet: null, durationMs: 0 };
  return { response, startedAt };
}

const ok = (response: WebhookResponse) => response.statusCode !== null && response.statusCode >= 200 && response.statusCode < 300;

const attemptRow = (deliveryId: string, attempt: number, manual: boolean, startedAt: Date, response: WebhookResponse) => ({
  deliveryId,
  attempt,
  manual,
  startedAt,
  durationMs: response.durationMs,
  statusCode: response.statusCode,
  error: response.error?.slice(0, 1000) ?? null,
  responseSnippet: response.snippet,
});

/**
 * Sends one claimed delivery and records the outcome, only while this sender still holds the
 * claim (the same lease token): a sender whose lease ran out and was taken over records nothing.
 * 2xx: succeeded, never sent again. Otherwise the next attempt after a growing gap, or failed.
 */
export async function sendClaimedWebhook(prisma: PrismaClient, claim: Claimed & { token: string }, options: WebhookSendOptions): Promise<{ recorded: boolean; succeeded: boolean }> {
  const { response, startedAt } = await send(prisma, claim.id, options);
  const attempts = claim.attempts + 1;
  const succeeded = ok(response);
  const delay = succeeded ? null : nextRetryDelayMs(attempts, options.retryBaseMs ?? defaultRetryBaseMs);
  const now = new Date();
  const recorded = await prisma.$transaction(async (tx) => {
    const { count } = await tx.webhookDelivery.updateMany({
      where: { id: claim.id, leaseToken: claim.token, state: "pending" },
      data: {
        attempts,
        leaseToken: null,
        leaseUntil: null,
        lastStatusCode: response.statusCode,
        lastError: response.error?.slice(0, 1000) ?? (succeeded ? null : `HTTP ${response.statusCode}`),
        lastAttemptAt: startedAt,
        ...(succeeded ? { state: "succeeded", succeededAt: now } : delay === null ? { state: "failed" } : { nextAttemptAt: new Date(now.getTime() + delay) }),
      },
    });
    if (count !== 1) return false;
    const sequence = await tx.webhookAttempt.count({ where: { deliveryId: claim.id } });
    await tx.webhookAttempt.create({ data: attemptRow(claim.id, sequence + 1, false, startedAt, response) });
    return true;
  });
  return { recorded, succeeded };
}

/** One pass: claims up to `limit` due deliveries, sends them at once, waits for all. For cron and tests; `npm start` runs {@link startWebhookSender}. */
export async function deliverDueWebhooks(options: WebhookSendOptions & { limit?: number }): Promise<{ claimed: number; succeeded: number }> {
  const { token, claimed } = await claimDueWebhookDeliveries(options.prisma, options.limit ?? 20, leaseMsFor(options));
  const outcomes = await Promise.allSettled(claimed.map((claim) => sendClaimedWebhook(options.prisma, { ...claim, token }, options)));
  return { claimed: claimed.length, succeeded: outcomes.filter((o) => o.status === "fulfilled" && o.value.succeeded).length };
}

export interface WebhookSender {
  /** Look for due deliveries now rather than at the next poll. */
  wake(): void;
  /** Stops claiming and waits for the requests in flight (each ends within its timeout). */
  stop(): Promise<void>;
}

/**
 * A sender loop beside the scheduler's tick: at most `concurrency` requests in flight, a slot
 * refilled as soon as one ends, so one receiver that hangs holds one slot until its timeout and
 * neither the others nor the tick wait for it. Any number of senders may run (SKIP LOCKED claims).
 */
export function startWebhookSender(options: WebhookSendOptions & { concurrency?: number; pollMs?: number; log?: (line: string) => void }): WebhookSender {
  const concurrency = options.concurrency ?? 8;
  const log = options.log ?? lineLogger(logger().child({ component: "webhooks" }), "warn");
  const inFlight = new Set<Promise<unknown>>();
  let stopped = false;
  let pumping = false;
  let again = false;
  let key: SecretsKey | undefined = options.key;
  let saidError = "";
  const pump = async (): Promise<void> => {
    if (stopped) return;
    if (pumping) {
      again = true;
      return;
    }
    pumping = true;
    try {
      do {
        again = false;
        while (!stopped && inFlight.size < concurrency) {
          const { token, claimed } = await claimDueWebhookDeliveries(options.prisma, concurrency - inFlight.size, leaseMsFor(options));
          if (claimed.length === 0) break;
          key ??= currentSecretsKey();
          for (const claim of claimed) {
            const sending: Promise<unknown> = sendClaimedWebhook(options.prisma, { ...claim, token }, { ...options, key })
              .catch((error: Error) => log(`delivery ${claim.id}: recording its outcome failed (sent again after its lease): ${error.message}`))
              .finally(() => {
                inFlight.delete(sending);
                void pump();
              });
            inFlight.add(sending);
          }
        }
      } while (again && !stopped);
      saidError = "";
    } catch (error) {
      // Said once per distinct failure (e.g. the database is down), not every poll.
      const message = (error as Error).message;
      if (message !== saidError) log(`claiming due deliveries failed (retried every poll): ${message}`);
      saidError = message;
    } finally {
      pumping = false;
    }
  };
  const timer = setInterval(() => void pump(), options.pollMs ?? 1_000);
  timer.unref();
  void pump();
  return {
    wake: () => void pump(),
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      while (pumping) await new Promise((resolve) => setTimeout(resolve, 10));
      await Promise.allSettled([...inFlight]);
    },
  };
}
