import type { PrismaClient, Role } from "@bailey/db";
import { type EgressPolicy, egressPolicy } from "@bailey/protocol";
import { appendAuditEvent } from "../audit";
import { auditActor, hasRole, requireRole, type TeamContext } from "../authz";
import { AppError } from "../errors";

/** The run options that give a run's code power over its host: each needs a role, set per team. */
export const runCapabilities = ["docker:host", "docker:dind", "sandbox:none"] as const;
export type RunCapability = (typeof runCapabilities)[number];

export interface RunPolicy {
  minRoleDockerHost: Role;
  minRoleDockerDind: Role;
  minRoleSandboxNone: Role;
  defaultRunTimeoutSeconds: number;
  maxQueuedRuns: number;
  /** A queued run no host of the team could ever take fails after this many seconds. */
  unplaceableTimeoutSeconds: number;
  /** The egress policy written into a run's stored spec when it names none. */
  defaultEgressPolicy: EgressPolicy;
  /** Stored logs and results of runs that finished longer ago than this many days are removed (1-3650). */
  blobRetentionDays: number;
}

const policySelect = {
  minRoleDockerHost: true,
  minRoleDockerDind: true,
  minRoleSandboxNone: true,
  defaultRunTimeoutSeconds: true,
  maxQueuedRuns: true,
  unplaceableTimeoutSeconds: true,
  defaultEgressPolicy: true,
  blobRetentionDays: true,
} as const;

/** The column is text: a value the enum does not know (written by hand) reads as strict, the safer of the two. */
function checkedPolicy<T extends { defaultEgressPolicy: string }>(row: T): T & { defaultEgressPolicy: EgressPolicy } {
  return { ...row, defaultEgressPolicy: row.defaultEgressPolicy === "open" ? "open" : "strict" };
}

const roleColumn: Record<RunCapability, "minRoleDockerHost" | "minRoleDockerDind" | "minRoleSandboxNone"> = {
  "docker:host": "minRoleDockerHost",
  "docker:dind": "minRoleDockerDind",
  "sandbox:none": "minRoleSandboxNone",
};

/** What each capability hands the run, for messages: people decide better knowing the stakes. */
const capabilityMeaning: Record<RunCapability, string> = {
  "docker:host": "the host's engine socket, which is root on the host",
  "docker:dind": "a privileged container and BuildKit sidecar",
  "sandbox:none": "no gVisor sandbox between the run and the host kernel",
};

/** The capabilities a run asks for, in the policy's order. */
export function requestedCapabilities(spec: { dependencies: readonly string[]; sandbox: string }): RunCapability[] {
  return runCapabilities.filter((capability) => (capability === "sandbox:none" ? spec.sandbox === "none" : spec.dependencies.includes(capability)));
}

export async function getRunPolicy({ prisma, ctx }: { prisma: PrismaClient; ctx: TeamContext }): Promise<RunPolicy> {
  requireRole(ctx, "admin");
  return checkedPolicy(await prisma.team.findUniqueOrThrow({ where: { id: ctx.teamId }, select: policySelect }));
}

/** Owners and admins change it; every change is audited with what it was and what it became. */
export async function updateRunPolicy({ prisma, ctx, changes }: { prisma: PrismaClient; ctx: TeamContext; changes: Partial<RunPolicy> }): Promise<RunPolicy> {
  requireRole(ctx, "admin");
  if (changes.defaultEgressPolicy !== undefined && !egressPolicy.safeParse(changes.defaultEgressPolicy).success)
    throw new AppError("BAD_REQUEST", `defaultEgressPolicy must be "open" or "strict" (it was ${JSON.stringify(changes.defaultEgressPolicy).slice(0, 40)}).`);
  if (changes.blobRetentionDays !== undefined && !(Number.isInteger(changes.blobRetentionDays) && changes.blobRetentionDays >= 1 && changes.blobRetentionDays <= 3650))
    throw new AppError("BAD_REQUEST", `blobRetentionDays must be a whole number of days from 1 to 3650 (it was ${JSON.stringify(changes.blobRetentionDays).slice(0, 40)}).`);
  for (const column of Object.values(roleColumn)) {
    const role = changes[column];
    // An admin may not hand out more than they hold: only an owner can make a capability owner-only or lift it from that.
    if (role === "owner" && !hasRole(ctx.role, "owner")) throw new AppError("FORBIDDEN", "Only an owner can restrict a capability to owners.");
  }
  return prisma.$transaction(async (tx) => {
    const before = checkedPolicy(await tx.team.findUniqueOrThrow({ where: { id: ctx.teamId }, select: policySelect }));
    for (const column of Object.values(roleColumn)) {
      if (before[column] === "owner" && changes[column] !== undefined && changes[column] !== "owner" && !hasRole(ctx.role, "owner")) {
        throw new AppError("FORBIDDEN", "Only an owner can lift an owners-only restriction.");
      }
    }
    const after = checkedPolicy(await tx.team.update({ where: { id: ctx.teamId }, data: changes, select: policySelect }));
    const changed = Object.fromEntries((Object.keys(changes) as (keyof RunPolicy)[]).filter((key) => before[key] !== after[key]).map((key) => [key, { from: before[key], to: after[key] }]));
    if (Object.keys(changed).length) {
      await appendAuditEvent(tx, { teamId: ctx.teamId, ...auditActor(ctx), action: "team.policy_changed", targetType: "team", targetId: ctx.teamId, data: { changed } });
    }
    return after;
  });
}

export interface PolicyRefusal {
  capability: RunCapability;
  requiredRole: Role;
  message: string;
}

/** The first capability the actor's role does not reach, or null: a token acts with its creator's current role. */
export function refusalOf(
  policy: Pick<RunPolicy, "minRoleDockerHost" | "minRoleDockerDind" | "minRoleSandboxNone">,
  team: { name: string },
  role: Role,
  requested: RunCapability[],
): PolicyRefusal | null {
  for (const capability of requested) {
    const requiredRole = policy[roleColumn[capability]];
    if (hasRole(role, requiredRole)) continue;
    return {
      capability,
      requiredRole,
      message:
        `${capability} runs need the ${requiredRole} role in team ${team.name} (team policy; it gives the run ${capabilityMeaning[capability]}); you are ${role === "admin" ? "an" : "a"} ${role}. ` +
        "An owner or admin can change it on the Team page or with PATCH /api/v1/team/policy.",
    };
  }
  return null;
}
