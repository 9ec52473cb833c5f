import { createHash, randomBytes } from "node:crypto";
import { z } from "zod";
import type { Prisma, PrismaClient } from "@bailey/db";
import { appendAuditEvent } from "../audit";
import { auditActor, requireRole, teamScope, type TeamContext } from "../authz";
import { AppError } from "../errors";
import type { HostConnections } from "../scheduler/host-connections";
import { isUniqueViolation } from "../unique-violation";
import { parseInput } from "../zod-issues";
import { connectHost, createProbedHost } from "./add-host";
import { assertAgentIdentityFree } from "./agent-identity";
import { capacityRuns, hostAddress, hostKeyFingerprint, hostLabels, hostName, sshPort, sshUser } from "./host-fields";
import { probeAgent } from "./probe-agent";

const enrollmentTokenPattern = /^blye_[A-Za-z0-9_-]{43}$/;
const minutes = 60_000;

export const enrollmentRequest = z
  .object({
    name: hostName,
    labels: hostLabels.default({}),
    capacityRuns: capacityRuns.default(4),
    /** How long the install command stays usable: 5 minutes to 7 days, default 1 hour. */
    expiresInMinutes: z
      .number()
      .int()
      .min(5, "expiresInMinutes is at least 5")
      .max(7 * 24 * 60, "expiresInMinutes is at most 10080 (7 days)")
      .default(60),
  })
  .strict();

export const enrollmentReport = z
  .object({
    token: z.string().regex(enrollmentTokenPattern, "token must be the blye_... enrollment token from the install command"),
    address: hostAddress,
    sshPort: sshPort.default(22),
    sshUser: sshUser.default("bailey"),
    hostKeyFingerprint,
    /** What the agent calls itself (BAILEY_HOST_ID); informational. */
    agentHostId: z.string().max(63).optional(),
  })
  .strict();

const hashEnrollmentToken = (token: string) => createHash("sha256").update(token).digest("hex");

/** An admin asks to add a host: a one-time, expiring token the host's installer reports back with. */
export async function createHostEnrollment({ prisma, ctx, input }: { prisma: PrismaClient; ctx: TeamContext; input: unknown }) {
  requireRole(ctx, "admin");
  const request = parseInput(enrollmentRequest, "enrollment", input);
  await assertHostNameFree(prisma, ctx.teamId, request.name);
  const token = `blye_${randomBytes(32).toString("base64url")}`;
  const expiresAt = new Date(Date.now() + request.expiresInMinutes * minutes);
  const enrollment = await prisma.$transaction(async (tx) => {
    const created = await tx.hostEnrollment.create({
      data: {
        teamId: ctx.teamId,
        name: request.name,
        labels: request.labels as Prisma.InputJsonValue,
        capacityRuns: request.capacityRuns,
        tokenHash: hashEnrollmentToken(token),
        createdById: ctx.actor.userId,
        expiresAt,
      },
      select: { id: true, name: true, expiresAt: true, createdAt: true },
    });
    await appendAuditEvent(tx, {
      teamId: ctx.teamId,
      ...auditActor(ctx),
      action: "host.enrollment_created",
      targetType: "enrollment",
      targetId: created.id,
      data: { name: request.name, expiresAt: expiresAt.toISOString() },
    });
    return created;
  });
  return { enrollment, token };
}

/** Enrollments of this team, newest first, with what became of each. */
export function listHostEnrollments({ prisma, ctx }: { prisma: PrismaClient; ctx: TeamContext }) {
  return prisma.hostEnrollment.findMany({
    where: teamScope(ctx),
    orderBy: { createdAt: "desc" },
    take: 50,
    select: { id: true, name: true, expiresAt: true, usedAt: true, hostId: true, createdAt: true },
  });
}

/**
 * The host's installer reports back with the token: the host is created with the key it
 * reported pinned, then connected, greeted and marked online. A token works exactly once.
 */
export async function completeHostEnrollment({ prisma, connections, input }: { prisma: PrismaClient; connections: HostConnections; input: unknown }) {
  const report = parseInput(enrollmentReport, "enrollment report", input);
  const refused = new AppError("UNAUTHORIZED", "This enrollment token is unknown, already used or expired; create a new one in Hosts → Add host and run its install command.");
  const enrollment = await prisma.hostEnrollment.findUnique({ where: { tokenHash: hashEnrollmentToken(report.token) } });
  if (!enrollment || enrollment.usedAt || enrollment.expiresAt.getTime() <= Date.now()) throw refused;
  await assertHostNameFree(prisma, enrollment.teamId, enrollment.name);
  // Before the token is spent: a machine that is already a host is refused and may retry once it is removed there.
  const probed = await probeAgent(connections, { transport: "ssh", address: report.address, sshPort: report.sshPort, sshUser: report.sshUser, hostKeyFingerprint: report.hostKeyFingerprint });
  const hostId = await createProbedHost(probed, async () => {
    await assertAgentIdentityFree(prisma, { teamId: enrollment.teamId, agentId: probed.hello?.agentId, actor: { actorType: "system" }, hostName: enrollment.name, address: report.address });
    try {
      return await prisma.$transaction(async (tx) => {
        // Claimed by compare-and-set: of two installers racing with one token, one wins.
        const claimed = await tx.hostEnrollment.updateMany({ where: { id: enrollment.id, usedAt: null, expiresAt: { gt: new Date() } }, data: { usedAt: new Date() } });
        if (claimed.count !== 1) throw refused;
        const host = await tx.host.create({
          data: {
            teamId: enrollment.teamId,
            name: enrollment.name,
            transport: "ssh",
            address: report.address,
            sshPort: report.sshPort,
            sshUser: report.sshUser,
            hostKeyFingerprint: report.hostKeyFingerprint,
            labels: enrollment.labels as Prisma.InputJsonValue,
            capacityRuns: enrollment.capacityRuns,
          },
        });
        await tx.hostEnrollment.update({ where: { id: enrollment.id }, data: { hostId: host.id } });
        await appendAuditEvent(tx, {
          teamId: enrollment.teamId,
          actorType: "system",
          action: "host.enrolled",
          targetType: "host",
          targetId: host.id,
          hostId: host.id,
          data: { name: host.name, address: host.address, sshPort: host.sshPort, fingerprint: host.hostKeyFingerprint, enrollmentId: enrollment.id, agentHostId: report.agentHostId ?? null },
        });
        return host.id;
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw nameTaken(enrollment.name);
      throw error;
    }
  });
  const host = await connectHost({ prisma, connections, hostId, withdrawIfDuplicate: true });
  return { id: host.id, name: host.name, status: host.status, statusReason: host.statusReason, runtime: host.runtimeType };
}

async function assertHostNameFree(prisma: PrismaClient, teamId: string, name: string): Promise<void> {
  if (await prisma.host.findFirst({ where: { teamId, name }, select: { id: true } })) throw nameTaken(name);
}

const nameTaken = (name: string) => new AppError("CONFLICT", `This team already has a host named ${name}; pick another name or remove that host first.`);

/**
 * The one line an admin runs on the new host. The token goes to the installer on stdin
 * (printf is a shell builtin, so it never shows in `ps`), which is why the script is not
 * piped into bash: root downloads it to its own temp file, runs it, and removes it. Extra
 * installer options (--ssh-address, --ssh-port) can be appended to the end.
 */
export function hostInstallCommand({
  publicUrl,
  token,
  agentSha256,
  controlPlanePublicKey,
  hostName: name,
}: {
  publicUrl: string;
  token: string;
  agentSha256: string;
  controlPlanePublicKey: string;
  hostName: string;
}): string {
  const base = publicUrl.replace(/\/+$/, "");
  const key = controlPlanePublicKey.trim().split(/\s+/).slice(0, 2).join(" ");
  const fetchAndRun = `f=$(mktemp) && trap "rm -f $f" EXIT && curl -fsSL "$0" -o "$f" && bash "$f" "$@"`;
  return `printf '%s\\n' ${token} | sudo bash -c '${fetchAndRun}' ${base}/install.sh --enroll-token-file - --control-plane ${base} --sha256 ${agentSha256} --authorized-key '${key} bailey-control-plane' --host-id ${name}`;
}
