import { restErrorResponse } from "@bailey/api";
import { AppError, requireScope, resolveMembership, type TeamContext, type TokenScope } from "@bailey/core";
import { createApiContext } from "~/server/api-context";
import { db } from "~/server/db";

export interface StreamContext {
  ctx: TeamContext;
  request: Request;
  params: Record<string, string>;
}

/**
 * The /api/v1 operations that stream (run logs, the audit export), which no procedure can
 * answer: the same token or session, scope check and error mapping as the generated ones.
 * They are listed in @bailey/api's streamOperations for the OpenAPI document.
 */
export function streamRoute(scope: TokenScope, handler: (stream: StreamContext) => Promise<Response>) {
  return async (request: Request, context: { params: Promise<Record<string, string>> }): Promise<Response> => {
    try {
      const params = (await context?.params) ?? {};
      if (Object.values(params).some((value) => value.includes("\u0000"))) throw new AppError("BAD_REQUEST", "Text may not contain NUL (\\u0000) characters.");
      const api = await createApiContext(request);
      if (api.token) {
        requireScope(api.token, scope);
        return await handler({ ctx: { teamId: api.token.teamId, role: api.token.role, actor: { type: "token", tokenId: api.token.tokenId, userId: api.token.userId } }, request, params });
      }
      const membership = api.user ? await resolveMembership({ prisma: db(), userId: api.user.id, ...(api.teamId ? { teamId: api.teamId } : {}) }) : null;
      if (!membership) throw new AppError("UNAUTHORIZED", "Send an API token: Authorization: Bearer bly_...");
      return await handler({ ctx: { teamId: membership.team.id, role: membership.role, actor: { type: "user", userId: api.user!.id } }, request, params });
    } catch (error) {
      return restErrorResponse(error);
    }
  };
}
