import { openApiDocument } from "@bailey/api";

export const dynamic = "force-static";

export function GET(): Response {
  return Response.json(openApiDocument());
}
