import { AppError, type ApiTokenAuthCache } from "@bailey/core";
import type { PrismaClient } from "@bailey/db";
import { createRestHandler } from "../../src";

/** /api/v1 as apps/web's api-context serves it to a bearer token, with the given replica's token cache. */
export function bearerApiHandler(prisma: PrismaClient, cache: ApiTokenAuthCache) {
  return createRestHandler({
    basePath: "/api/v1",
    createContext: async (request) => {
      const bearer = /^Bearer\s+(\S+)$/i.exec(request.headers.get("authorization") ?? "")?.[1];
      if (!bearer) return { prisma, user: null };
      const token = await cache.authenticate({ prisma, token: bearer });
      if (!token) throw new AppError("UNAUTHORIZED", "This API token is unknown, revoked or expired.");
      return { prisma, user: null, token };
    },
  });
}
