import { z } from "zod";
import { changeMemberRole, createInvite, getRunPolicy, listInvites, listMembers, removeMember, revokeInvite, updateRunPolicy } from "@bailey/core";
import { runPolicyOutput, updateRunPolicyInput } from "../../schemas/team";
import { storage } from "./storage";
import { adminProcedure, router, teamProcedure } from "../../trpc";

const roles = z.enum(["owner", "admin", "member", "viewer"]);
const id = z.object({ id: z.string().min(1).max(64) }).strict();

// Team membership is managed by people, never by API tokens; the run policy also over REST.
export const teamRouter = router({
  policy: adminProcedure
    .meta({
      scope: "runs:read",
      openapi: {
        method: "GET",
        path: "/team/policy",
        tags: ["team"],
        summary: "The team's run policy: who may ask for docker:host, docker:dind and sandbox none; default timeout; queue cap; how long an unplaceable run waits",
      },
    })
    .output(runPolicyOutput)
    .query(async ({ ctx }) => ({ policy: await getRunPolicy({ prisma: ctx.prisma, ctx: ctx.teamContext }) })),
  updatePolicy: adminProcedure
    .meta({ scope: "team:write", openapi: { method: "PATCH", path: "/team/policy", tags: ["team"], summary: "Change the team's run policy (owners and admins; audited as team.policy_changed)" } })
    .input(updateRunPolicyInput)
    .output(runPolicyOutput)
    .mutation(async ({ ctx, input }) => ({ policy: await updateRunPolicy({ prisma: ctx.prisma, ctx: ctx.teamContext, changes: input }) })),
  storage,
  members: teamProcedure.meta({ scope: "session" }).query(({ ctx }) => listMembers({ prisma: ctx.prisma, ctx: ctx.teamContext })),
  changeRole: adminProcedure
    .meta({ scope: "session" })
    .input(z.object({ id: z.string().min(1).max(64), role: roles }).strict())
    .mutation(({ ctx, input }) => changeMemberRole({ prisma: ctx.prisma, ctx: ctx.teamContext, membershipId: input.id, role: input.role })),
  remove: adminProcedure
    .meta({ scope: "session" })
    .input(id)
    .mutation(({ ctx, input }) => removeMember({ prisma: ctx.prisma, ctx: ctx.teamContext, membershipId: input.id })),
  /** Anyone may leave (the last owner excepted). */
  leave: teamProcedure.meta({ scope: "session" }).mutation(async ({ ctx }) => {
    const mine = await ctx.prisma.membership.findUniqueOrThrow({ where: { teamId_userId: { teamId: ctx.teamContext.teamId, userId: ctx.teamContext.actor.userId } } });
    return removeMember({ prisma: ctx.prisma, ctx: ctx.teamContext, membershipId: mine.id });
  }),
  invites: adminProcedure.meta({ scope: "session" }).query(({ ctx }) => listInvites({ prisma: ctx.prisma, ctx: ctx.teamContext })),
  createInvite: adminProcedure
    .meta({ scope: "session" })
    .input(z.object({ role: roles, expiresInDays: z.number().int().min(1).max(30).default(7) }).strict())
    .mutation(({ ctx, input }) => createInvite({ prisma: ctx.prisma, ctx: ctx.teamContext, role: input.role, expiresInDays: input.expiresInDays })),
  revokeInvite: adminProcedure
    .meta({ scope: "session" })
    .input(id)
    .mutation(({ ctx, input }) => revokeInvite({ prisma: ctx.prisma, ctx: ctx.teamContext, inviteId: input.id })),
});
