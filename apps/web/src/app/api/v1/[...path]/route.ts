import { createRestHandler } from "@bailey/api";
import { createApiContext } from "~/server/api-context";

export const dynamic = "force-dynamic";

// Every /api/v1 operation but the streams: generated from the tRPC router (meta.openapi).
const handler = createRestHandler({ basePath: "/api/v1", createContext: createApiContext });

export { handler as GET, handler as POST, handler as PUT, handler as PATCH, handler as DELETE };
