import { resolveTeamContext, restErrorResponse } from "@bailey/api";
import { AppError, type TeamContext, type TokenScope } from "@bailey/core";
import { createApiContext } from "~/server/api-context";

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
      const { teamContext } = await resolveTeamContext(await createApiContext(request), scope);
      return await handler({ ctx: teamContext, request, params });
    } catch (error) {
      return restErrorResponse(error);
    }
  };
}
