import { AppError, appErrorHttpStatus, databaseUnavailable, authenticateApiToken, requireScope, resolveMembership, type TeamContext, type TokenScope } from "@bailey/core";
import { currentUser } from "~/server/auth";
import { db } from "~/server/db";

export const maxBodyBytes = 1024 * 1024;

export interface RestContext {
  ctx: TeamContext;
  request: Request;
  params: Record<string, string>;
}

type Handler = (rest: RestContext) => Promise<Response>;

/**
 * Every /api/v1 route: a bearer API token with the scope the route needs, the caller's
 * team as context, and AppError mapped to its HTTP status in this one place.
 */
export function restRoute(scope: TokenScope, handler: Handler) {
  return async (request: Request, context: { params: Promise<Record<string, string>> }): Promise<Response> => {
    try {
      assertDeclaredSizeAllowed(request);
      const params = (await context?.params) ?? {};
      // Postgres cannot hold NUL in text; a 400 here instead of a 500 deep in a query.
      if ([...Object.values(params), ...new URL(request.url).searchParams.values()].some((value) => value.includes("\u0000"))) throw nulRefused();
      const header = request.headers.get("authorization") ?? "";
      const token = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
      if (!token) {
        // The dashboard reads (log streams, audit export) with its session; writes need a token.
        const session = request.method === "GET" ? await sessionTeamContext() : null;
        if (session) return await handler({ ctx: session, request, params });
        throw new AppError("UNAUTHORIZED", "Send an API token: Authorization: Bearer bly_...");
      }
      const auth = await authenticateApiToken({ prisma: db(), token });
      if (!auth) throw new AppError("UNAUTHORIZED", "This API token is unknown, revoked or expired.");
      requireScope(auth, scope);
      const ctx: TeamContext = { teamId: auth.teamId, role: auth.role, actor: { type: "token", tokenId: auth.tokenId, userId: auth.userId } };
      return await handler({ ctx, request, params });
    } catch (error) {
      return errorResponse(error);
    }
  };
}

/** A route that authenticates by other means (e.g. an enrollment token in the body). */
export function publicRoute(handler: (request: Request) => Promise<Response>) {
  return async (request: Request): Promise<Response> => {
    try {
      assertDeclaredSizeAllowed(request);
      return await handler(request);
    } catch (error) {
      return errorResponse(error);
    }
  };
}

async function sessionTeamContext(): Promise<TeamContext | null> {
  const user = await currentUser();
  if (!user) return null;
  const membership = await resolveMembership({ prisma: db(), userId: user.id });
  return membership ? { teamId: membership.team.id, role: membership.role, actor: { type: "user", userId: user.id } } : null;
}

export function errorResponse(thrown: unknown): Response {
  const error = databaseUnavailable(thrown) ?? thrown;
  if (error instanceof AppError) {
    const headers = error.code === "UNAVAILABLE" ? { "retry-after": "5" } : undefined;
    return Response.json({ error: { code: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) } }, { status: appErrorHttpStatus[error.code], ...(headers ? { headers } : {}) });
  }
  console.error("[api/v1] unexpected error", error);
  return Response.json({ error: { code: "INTERNAL", message: "Something went wrong on the server; it has been logged." } }, { status: 500 });
}

/** Reads a JSON body of at most 1 MiB; a larger one is 413, malformed JSON 400. */
export async function readJsonBody(request: Request): Promise<unknown> {
  const text = await readTextBody(request);
  try {
    // JSON's "\u0000" escape decodes to NUL, which the text check cannot see.
    return JSON.parse(text, (key, value: unknown) => {
      if (key.includes("\u0000") || (typeof value === "string" && value.includes("\u0000"))) throw nulRefused();
      return value;
    });
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw new AppError("BAD_REQUEST", "The body is not valid JSON.");
  }
}

/** Every route, whether it reads a body or not, refuses one declared over the limit. */
function assertDeclaredSizeAllowed(request: Request): void {
  if (Number(request.headers.get("content-length") ?? "0") > maxBodyBytes) throw new AppError("PAYLOAD_TOO_LARGE", `The body is larger than ${maxBodyBytes} bytes.`);
}

const nulRefused = () => new AppError("BAD_REQUEST", "Text may not contain NUL (\\u0000) characters.");

/** Reads a UTF-8 body of at most 1 MiB; a larger one is 413 without reading the rest. */
export async function readTextBody(request: Request): Promise<string> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > maxBodyBytes) throw new AppError("PAYLOAD_TOO_LARGE", `The body is larger than ${maxBodyBytes} bytes.`);
  const reader = request.body?.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  while (reader) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > maxBodyBytes) {
      await reader.cancel();
      throw new AppError("PAYLOAD_TOO_LARGE", `The body is larger than ${maxBodyBytes} bytes.`);
    }
    chunks.push(value);
  }
  const text = Buffer.concat(chunks).toString("utf8");
  if (text.includes("\u0000")) throw nulRefused();
  return text;
}

/** JSON with bigints as strings (memory sizes, cursors). */
export function json(value: unknown, init?: ResponseInit): Response {
  return new Response(JSON.stringify(value, (_key, inner) => (typeof inner === "bigint" ? inner.toString() : inner)), {
    ...init,
    headers: { "content-type": "application/json", ...(init?.headers ?? {}) },
  });
}
