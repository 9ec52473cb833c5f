import { z } from "zod";
import {
  createWebhookEndpoint,
  deleteWebhookEndpoint,
  getWebhookEndpoint,
  listWebhookDeliveries,
  listWebhookEndpoints,
  redeliverWebhook,
  rotateWebhookSecret,
  sendTestWebhook,
  updateWebhookEndpoint,
} from "@bailey/core";
import {
  createWebhookEndpointInput,
  updateWebhookEndpointInput,
  webhookDeliveriesInput,
  webhookDeliveriesOutput,
  webhookEndpointOutput,
  webhookEndpointsOutput,
  webhookEndpointWithSecretOutput,
  webhookRedeliverOutput,
  webhookTestOutput,
  type WebhookDeliveryState,
} from "../../schemas/webhooks";
import { adminProcedure, router, teamProcedure } from "../../trpc";

const tags = ["webhooks"];
const byId = z.object({ id: z.string().min(1).max(64) }).strict();

// Members see the endpoints and their delivery logs (the core refuses viewers: a receiver's
// answers may be in the log); admins change them. Secrets are returned by create and rotate only.
export const webhooksRouter = router({
  list: teamProcedure
    .meta({ scope: "webhooks:read", openapi: { method: "GET", path: "/webhooks", tags, summary: "The team's webhook endpoints, without their secrets (members and above)" } })
    .output(webhookEndpointsOutput)
    .query(async ({ ctx }) => ({ endpoints: await listWebhookEndpoints({ prisma: ctx.prisma, ctx: ctx.teamContext }) })),
  get: teamProcedure
    .meta({ scope: "webhooks:read", openapi: { method: "GET", path: "/webhooks/{id}", tags, summary: "One webhook endpoint, without its secret" } })
    .input(byId)
    .output(webhookEndpointOutput)
    .query(async ({ ctx, input }) => ({ endpoint: await getWebhookEndpoint({ prisma: ctx.prisma, ctx: ctx.teamContext, endpointId: input.id }) })),
  create: adminProcedure
    .meta({
      scope: "webhooks:write",
      openapi: { method: "POST", path: "/webhooks", tags, summary: "Add a webhook endpoint (admins); the response carries its signing secret, shown only this once" },
      restCreated: "always",
    })
    .input(createWebhookEndpointInput)
    .output(webhookEndpointWithSecretOutput)
    .mutation(async ({ ctx, input }) => createWebhookEndpoint({ prisma: ctx.prisma, ctx: ctx.teamContext, ...input })),
  update: adminProcedure
    .meta({ scope: "webhooks:write", openapi: { method: "PATCH", path: "/webhooks/{id}", tags, summary: "Change an endpoint's URL, events, description, or enable/disable it (admins)" } })
    .input(updateWebhookEndpointInput)
    .output(webhookEndpointOutput)
    .mutation(async ({ ctx, input: { id, ...change } }) => ({ endpoint: await updateWebhookEndpoint({ prisma: ctx.prisma, ctx: ctx.teamContext, endpointId: id, ...change }) })),
  rotateSecret: adminProcedure
    .meta({
      scope: "webhooks:write",
      openapi: { method: "POST", path: "/webhooks/{id}/rotate-secret", tags, summary: "A new signing secret for the endpoint (admins), shown only this once; the next request is signed with it" },
    })
    .input(byId)
    .output(webhookEndpointWithSecretOutput)
    .mutation(async ({ ctx, input }) => rotateWebhookSecret({ prisma: ctx.prisma, ctx: ctx.teamContext, endpointId: input.id })),
  delete: adminProcedure
    .meta({ scope: "webhooks:write", openapi: { method: "DELETE", path: "/webhooks/{id}", tags, summary: "Delete an endpoint with its delivery log (admins); its pending deliveries are dropped" } })
    .input(byId)
    .output(webhookEndpointOutput)
    .mutation(async ({ ctx, input }) => ({ endpoint: await deleteWebhookEndpoint({ prisma: ctx.prisma, ctx: ctx.teamContext, endpointId: input.id }) })),
  deliveries: teamProcedure
    .meta({
      scope: "webhooks:read",
      openapi: { method: "GET", path: "/webhooks/{id}/deliveries", tags, summary: "An endpoint's deliveries, newest first, each with its requests and their answers" },
    })
    .input(webhookDeliveriesInput)
    .output(webhookDeliveriesOutput)
    .query(async ({ ctx, input: { id, limit, before, cursor, direction: _direction } }) => {
      const deliveries = await listWebhookDeliveries({ prisma: ctx.prisma, ctx: ctx.teamContext, endpointId: id, limit, ...((cursor ?? before) ? { before: (cursor ?? before) as Date } : {}) });
      return {
        // The column is text; the core writes only these three.
        deliveries: deliveries.map((delivery) => ({ ...delivery, state: delivery.state as WebhookDeliveryState })),
        nextBefore: deliveries.length === limit ? (deliveries.at(-1)?.createdAt ?? null) : null,
      };
    }),
  redeliver: adminProcedure
    .meta({
      scope: "webhooks:write",
      openapi: {
        method: "POST",
        path: "/webhooks/deliveries/{id}/redeliver",
        tags,
        summary: "Send a delivery's event again now, with the same webhook-id (admins); answers with the request's outcome",
      },
    })
    .input(byId)
    .output(webhookRedeliverOutput)
    .mutation(async ({ ctx, input }) => ({ attempt: await redeliverWebhook({ prisma: ctx.prisma, ctx: ctx.teamContext, deliveryId: input.id }) })),
  sendTest: adminProcedure
    .meta({
      scope: "webhooks:write",
      openapi: { method: "POST", path: "/webhooks/{id}/test", tags, summary: "Queue a webhook.test event for this endpoint only (admins); it is delivered like any other" },
    })
    .input(byId)
    .output(webhookTestOutput)
    .mutation(async ({ ctx, input }) => sendTestWebhook({ prisma: ctx.prisma, ctx: ctx.teamContext, endpointId: input.id })),
});
