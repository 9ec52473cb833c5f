export { allWebhookEvents, isWebhookEventType, webhookEventTypes, webhookRunStates, webhookTestEventType, type WebhookEventType } from "./event-types";
export { newWebhookSecret, signWebhook, verifyWebhookSignature, webhookHeaders, WebhookVerificationError } from "./signature";
export { addressKind, maxWebhookUrlLength, parseWebhookUrl, refusedAddress } from "./webhook-url";
export {
  createWebhookEndpoint,
  deleteWebhookEndpoint,
  getWebhookEndpoint,
  listWebhookEndpoints,
  maxWebhookDescriptionLength,
  maxWebhookEndpointsPerTeam,
  openWebhookSecret,
  parseWebhookEvents,
  rotateWebhookSecret,
  updateWebhookEndpoint,
  webhookSecretContext,
  type WebhookEndpointView,
} from "./endpoints";
export { enqueueHostWebhook, enqueueRunWebhook, enqueueWebhookEvent, newWebhookEventId } from "./enqueue";
export { claimDueWebhookDeliveries, deliverDueWebhooks, sendClaimedWebhook, startWebhookSender, type WebhookSender, type WebhookSendOptions } from "./deliver";
export { getWebhookEventPayload, listWebhookDeliveries, redeliverWebhook, sendTestWebhook } from "./deliveries";
export { defaultRetryBaseMs, maxWebhookAttempts, nextRetryDelayMs } from "./retry";
export { defaultWebhookTimeoutMs, postWebhook, type WebhookResponse } from "./send-request";
