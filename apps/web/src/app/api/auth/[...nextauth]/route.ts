import NextAuth from "next-auth";
import { authOptions } from "~/server/auth";

type RouteContext = { params: Promise<{ nextauth: string[] }> };

function handler(request: Request, context: RouteContext) {
  return (NextAuth(authOptions()) as (request: Request, context: RouteContext) => Promise<Response>)(request, context);
}

export { handler as GET, handler as POST };
