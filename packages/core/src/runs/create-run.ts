import { createHash } from "node:crypto";
import type { Prisma, PrismaClient } from "@bailey/db";
import { buildImageTag } from "@bailey/protocol";
import { appendAuditEvent, canonicalJson } from "../audit";
import { requireBuildContext } from "../build-contexts/run-build-context";
import { auditActor, requireRole, type TeamContext } from "../authz";
import { AppError } from "../errors";
import { type RunPolicy, refusalOf, requestedCapabilities } from "../teams/run-policy";
import { referencedSecretNames, requireTeamSecrets } from "../team-secrets/run-secrets";
import { requireTeamGrants } from "../grants/run-grants";
import { requireWorkspaceCredentials } from "../results/workspace-credentials";
import { type SubmittedRunSpec, validateRunSpec } from "./run-spec";

export interface CreateRunOptions {
  prisma: PrismaClient;
  ctx: TeamContext;
  spec: unknown;
  /** Idempotency-Key: a retry with the same key and body returns the first run. */
  idempotencyKey?: string;
  specFormat?: "json" | "yaml" | "moat";
}

const runSelect = { id: true, name: true, state: true, image: true, hostId: true, createdAt: true, spec: true } satisfies Prisma.RunSelect;

type TeamPolicyRow = Omit<RunPolicy, "defaultEgressPolicy"> & { name: string; defaultEgressPolicy: string };

/**
 * Queues a run (scheduling happens in the scheduler); the same Idempotency-Key never makes two.
 * The team's run policy is checked first (a refusal is audited), then its queue cap.
 */
export async function createRun({ prisma, ctx, spec: input, idempotencyKey, specFormat = "json" }: CreateRunOptions) {
  requireRole(ctx, "member");
  if (idempotencyKey !== undefined && !/^[\x21-\x7e]{1,200}$/.test(idempotencyKey)) {
    throw new AppError("BAD_REQUEST", "Idempotency-Key must be 1-200 printable ASCII characters without spaces.");
  }
  const { spec, agentSpec } = validateRunSpec(input);
  const requested = requestedCapabilities(agentSpec);
  // Checked at submission, so a typo is a 400 now, not a failed run later; dispatch checks again.
  if (agentSpec.workspace) await requireWorkspaceCredentials(prisma, ctx.teamId, agentSpec.workspace);
  await requireTeamSecrets(prisma, ctx.teamId, referencedSecretNames(agentSpec));
  await requireTeamGrants(prisma, ctx.teamId, agentSpec.grants);
  if (spec.build?.context) await requireBuildContext(prisma, ctx.teamId, spec.build.context);
  const bodyHash = createHash("sha256").update(canonicalJson(spec)).digest("hex");
  if (idempotencyKey) {
    const existing = await findByKey(prisma, ctx.teamId, idempotencyKey, bodyHash);
    if (existing) return { run: existing, created: false };
  }
  const outcome = await prisma.$transaction(async (tx) => {
    if (idempotencyKey) {
      // Same-key creators queue here instead of racing into the unique index: the first
      // inserts, the rest find its run. (An insert failing inside an interactive
      // transaction is what we avoid.)
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`${ctx.teamId}:${idempotencyKey}`}, 0))`;
      const existing = await findByKey(tx, ctx.teamId, idempotencyKey, bodyHash);
      if (existing) return { run: existing, created: false, refusal: null };
    }
    // The team row is locked for the policy and the count, so concurrent submissions cannot all slip under the cap.
    // NO KEY UPDATE, not UPDATE: every audit append inserts a row referencing the team (KEY SHARE),
    // and one holding the audit head must not wait on this lock while this waits for the head.
    const [team] = await tx.$queryRaw<TeamPolicyRow[]>`
      SELECT name, "minRoleDockerHost"::text AS "minRoleDockerHost", "minRoleDockerDind"::text AS "minRoleDockerDind", "minRoleSandboxNone"::text AS "minRoleSandboxNone",
        "defaultRunTimeoutSeconds", "maxQueuedRuns", "defaultEgressPolicy"
      FROM "Team" WHERE id = ${ctx.teamId} FOR NO KEY UPDATE`;
    if (!team) throw AppError.notFound("Team");
    const refusal = refusalOf(team, team, ctx.role, requested);
    // Returned, not thrown: the refusal's audit event must commit, and this transaction makes nothing.
    if (refusal) return { refusal };
    const queued = await tx.run.count({ where: { teamId: ctx.teamId, state: "queued" } });
    if (queued >= team.maxQueuedRuns) {
      throw new AppError(
        "TOO_MANY_REQUESTS",
        `Team ${team.name} already has ${queued} queued runs, its cap of ${team.maxQueuedRuns}; wait for some to start or cancel them, or an admin can raise the cap on the Team page (PATCH /api/v1/team/policy).`,
        { queued, maxQueuedRuns: team.maxQueuedRuns },
      );
    }
    const stored = withEgressPolicy(spec, team.defaultEgressPolicy);
    let created = await tx.run.create({
      data: {
        teamId: ctx.teamId,
        createdById: ctx.actor.userId,
        apiTokenId: ctx.actor.type === "token" ? ctx.actor.tokenId : null,
        name: spec.name ?? null,
        spec: stored as Prisma.InputJsonValue,
        specFormat,
        image: spec.image ?? null,
        command: agentSpec.command ?? [],
        dependencies: agentSpec.dependencies,
        sandbox: agentSpec.sandbox,
        placement: spec.placement as Prisma.InputJsonValue,
        cpus: agentSpec.resources.cpus ?? null,
        memoryBytes: agentSpec.resources.memoryBytes === undefined ? null : BigInt(agentSpec.resources.memoryBytes),
        pidsLimit: agentSpec.resources.pids ?? null,
        // A spec without a timeout gets the team's default, so no run holds a host slot forever.
        timeoutSeconds: agentSpec.resources.timeoutSeconds ?? team.defaultRunTimeoutSeconds,
        idempotencyKey: idempotencyKey ?? null,
        idempotencyHash: idempotencyKey ? bodyHash : null,
      },
      select: runSelect,
    });
    if (spec.build) {
      // The stored spec says what ran: the image a build run runs is the one built for it, never pulled.
      const image = buildImageTag(created.id);
      created = await tx.run.update({ where: { id: created.id }, data: { image, spec: { ...stored, image, pullPolicy: "never" } as Prisma.InputJsonValue }, select: runSelect });
    }
    await tx.runTransition.create({ data: { runId: created.id, fromState: null, toState: "queued" } });
    await appendAuditEvent(tx, {
      teamId: ctx.teamId,
      ...auditActor(ctx),
      action: "run.created",
      targetType: "run",
      targetId: created.id,
      runId: created.id,
      data: {
        image: created.image,
        ...(spec.build
          ? { build: { context: spec.build.context ?? null, dockerfile: spec.build.dockerfileInline ? "inline" : (spec.build.dockerfile ?? "Dockerfile"), target: spec.build.target ?? null } }
          : {}),
        dependencies: agentSpec.dependencies,
        sandbox: agentSpec.sandbox,
        ...(requested.length ? { capabilities: requested } : {}),
        ...(agentSpec.grants.length ? { grants: agentSpec.grants } : {}),
        ...(stored.network ? { network: stored.network } : {}),
      },
    });
    return { run: created, created: true, refusal: null };
  });
  const { refusal, ...result } = outcome;
  if (refusal) {
    await prisma.$transaction((tx) =>
      appendAuditEvent(tx, {
        teamId: ctx.teamId,
        ...auditActor(ctx),
        action: "run.refused",
        targetType: "team",
        targetId: ctx.teamId,
        data: {
          by: "team policy",
          capability: refusal.capability,
          requiredRole: refusal.requiredRole,
          role: ctx.role,
          requested,
          image: spec.image ?? "(built from a Dockerfile)",
          onBehalfOf: ctx.actor.userId,
        },
      }),
    );
    throw new AppError("FORBIDDEN", refusal.message, { policy: "team", capability: refusal.capability, requiredRole: refusal.requiredRole });
  }
  return result as { run: NonNullable<typeof result.run>; created: boolean };
}

/**
 * The spec as stored, so it says what ran: a policy the spec leaves out is the team's default
 * at submission. An open default with no `network` at all stays out (open is what no proxy means).
 */
function withEgressPolicy(spec: SubmittedRunSpec, teamDefault: string): SubmittedRunSpec {
  const policy = spec.network?.policy ?? (teamDefault === "open" ? "open" : "strict");
  if (!spec.network && policy === "open") return spec;
  return { ...spec, network: { ...spec.network, policy, allow: spec.network?.allow ?? [] } };
}

async function findByKey(prisma: PrismaClient | Prisma.TransactionClient, teamId: string, key: string, bodyHash: string) {
  const existing = await prisma.run.findUnique({ where: { teamId_idempotencyKey: { teamId, idempotencyKey: key } }, select: { ...runSelect, idempotencyHash: true } });
  if (!existing) return null;
  if (existing.idempotencyHash !== bodyHash) {
    throw new AppError("CONFLICT", `Idempotency-Key "${key}" was already used for a different run spec; use a new key for a new run.`);
  }
  const { idempotencyHash: _hash, ...run } = existing;
  return run;
}
