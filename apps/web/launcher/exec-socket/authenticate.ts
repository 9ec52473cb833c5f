import type { IncomingMessage } from "node:http";
import { resolveTeamContext } from "@bailey/api";
import { AppError, authenticateApiToken, type AuthenticatedToken, type TeamContext } from "@bailey/core";
import type { PrismaClient } from "@bailey/db";
import { getToken } from "next-auth/jwt";

export interface ExecCaller {
  ctx: TeamContext;
  /** The API token, when the caller sent one (it needs runs:exec). */
  token: AuthenticatedToken | null;
}

function parseCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const part of (header ?? "").split(";")) {
    const index = part.indexOf("=");
    if (index <= 0) continue;
    const name = part.slice(0, index).trim();
    try {
      cookies.set(name, decodeURIComponent(part.slice(index + 1).trim()));
    } catch {
      // a cookie that is not ours and not valid URI text
    }
  }
  return cookies;
}

/**
 * A browser sends the session cookie to any site's WebSocket (there is no CORS for upgrades), so
 * a cookie-authenticated upgrade must come from the dashboard's own origin.
 */
function assertSameOrigin(request: IncomingMessage, publicUrl: string | undefined): void {
  const origin = request.headers.origin;
  if (!origin) return; // not a browser: a browser always sends Origin with a WebSocket
  let originHost: string;
  try {
    originHost = new URL(origin).host;
  } catch {
    throw new AppError("FORBIDDEN", "This WebSocket's Origin header is not a URL.");
  }
  const allowed = new Set([request.headers.host, publicUrl ? new URL(publicUrl).host : undefined].filter(Boolean));
  if (!allowed.has(originHost)) throw new AppError("FORBIDDEN", `A page on ${origin} may not open a terminal here; open it from the Bailey dashboard itself.`);
}

/**
 * The caller of GET /api/v1/runs/{id}/exec, as the REST API would see it: an API token
 * (`Authorization: Bearer`) acts for its own team; the dashboard's session cookie acts in the
 * team of `?team=`, else the run's team when the user belongs to it, else their first team.
 */
export async function authenticateExecCaller({
  prisma,
  request,
  runId,
  secret,
  publicUrl,
}: {
  prisma: PrismaClient;
  request: IncomingMessage;
  runId: string;
  secret: string;
  publicUrl?: string;
}): Promise<ExecCaller> {
  const bearer = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? "")?.[1];
  if (bearer) {
    const token = await authenticateApiToken({ prisma, token: bearer });
    if (!token) throw new AppError("UNAUTHORIZED", "This API token is unknown, revoked or expired.");
    const { teamContext } = await resolveTeamContext({ prisma, user: null, token }, "runs:exec");
    return { ctx: teamContext, token };
  }

  const session = await getToken({ req: { cookies: parseCookies(request.headers.cookie), headers: {} } as never, secret });
  const user = session?.sub && typeof session.email === "string" ? { id: session.sub, email: session.email } : null;
  if (!user) throw new AppError("UNAUTHORIZED", "Sign in first, or send an API token with the runs:exec scope: Authorization: Bearer bly_...");
  assertSameOrigin(request, publicUrl);

  const chosenTeam = new URL(request.url ?? "/", "http://bailey").searchParams.get("team");
  let teamId = chosenTeam ?? undefined;
  if (!teamId) {
    const run = await prisma.run.findUnique({ where: { id: runId }, select: { teamId: true } });
    const member = run ? await prisma.membership.findFirst({ where: { userId: user.id, teamId: run.teamId }, select: { teamId: true } }) : null;
    teamId = member?.teamId;
  }
  const { teamContext } = await resolveTeamContext({ prisma, user, ...(teamId ? { teamId } : {}) }, "runs:exec");
  return { ctx: teamContext, token: null };
}
