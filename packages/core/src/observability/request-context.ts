import { AsyncLocalStorage } from "node:async_hooks";
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";

export interface RequestContext {
  requestId: string;
}

// One store per process, not per module copy: Next bundles @bailey/core into its server chunks
// while the web server imports it directly, and both must see the same request.
const shared = globalThis as unknown as { baileyRequestContext?: AsyncLocalStorage<RequestContext> };
const store = (shared.baileyRequestContext ??= new AsyncLocalStorage<RequestContext>());

/** The id of the HTTP request this code runs for, if any: every log line made meanwhile carries it. */
export function currentRequestId(): string | undefined {
  return store.getStore()?.requestId;
}

/** A proxy's X-Request-Id when it is a plain token (so one id follows the request through), else a new one. */
export function requestIdFor(request: IncomingMessage): string {
  const given = request.headers["x-request-id"];
  return typeof given === "string" && /^[A-Za-z0-9._:-]{1,128}$/.test(given) ? given : randomUUID();
}

/** Runs `handle` as the request's context and answers its id in X-Request-Id, for a user to quote. */
export function withRequestContext(request: IncomingMessage, response: ServerResponse | null, handle: () => void): void {
  const requestId = requestIdFor(request);
  response?.setHeader("X-Request-Id", requestId);
  store.run({ requestId }, handle);
}
