import { teamProcedure } from "../../trpc";

/** Who is signed in and which team they are acting in: the nav bar's data. */
export const get = teamProcedure.meta({ scope: "session" }).query(({ ctx }) => ({
  userId: ctx.teamContext.actor.userId,
  email: ctx.user?.email ?? null,
  team: { id: ctx.team.id, name: ctx.team.name, slug: ctx.team.slug },
  role: ctx.team.role,
}));
