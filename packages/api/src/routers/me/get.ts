import { teamProcedure } from "../../trpc";

export const get = teamProcedure.query(({ ctx }) => ({
  email: ctx.user.email,
  team: { id: ctx.team.id, name: ctx.team.name },
  role: ctx.team.role,
}));
