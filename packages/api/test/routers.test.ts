import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { TRPCError } from "@trpc/server";
import { createPrismaClient, type PrismaClient } from "@bailey/db";
import { migrateDatabase } from "@bailey/db/admin";
import { createScratchDatabase, type ScratchDatabase } from "@bailey/db/testing";
import { createCaller, type Context } from "../src";
import { adminProcedure, createCallerFactory, router, writerProcedure } from "../src/trpc";

const rejectsWith = (code: TRPCError["code"], message?: RegExp) => (error: unknown) => error instanceof TRPCError && error.code === code && (!message || message.test(error.message));

describe("the tRPC routers", () => {
  let db: ScratchDatabase;
  let prisma: PrismaClient;
  const users = { owner: { id: "", email: "owner@example.com" }, viewer: { id: "", email: "viewer@example.com" }, loner: { id: "", email: "loner@example.com" } };
  let teamId = "";
  let secondTeamId = "";
  const as = (user: Context["user"], teamId?: string): Context => ({ prisma, user, teamId });

  before(async () => {
    db = await createScratchDatabase();
    await migrateDatabase(db.url);
    prisma = createPrismaClient(db.url);
    for (const key of Object.keys(users) as (keyof typeof users)[]) {
      users[key].id = (await prisma.user.create({ data: { email: users[key].email } })).id;
    }
    teamId = (await prisma.team.create({ data: { slug: "first", name: "First" } })).id;
    secondTeamId = (await prisma.team.create({ data: { slug: "second", name: "Second" } })).id;
    await prisma.membership.create({ data: { teamId, userId: users.owner.id, role: "owner" } });
    await prisma.membership.create({ data: { teamId: secondTeamId, userId: users.owner.id, role: "viewer" } });
    await prisma.membership.create({ data: { teamId, userId: users.viewer.id, role: "viewer" } });
    await prisma.run.create({ data: { teamId: secondTeamId, name: "second-team-run", spec: {} } });
  });
  after(async () => {
    await prisma.$disconnect();
    await db.drop();
  });

  it("asks anonymous callers to sign in", async () => {
    await assert.rejects(createCaller(as(null)).runs.list(), rejectsWith("UNAUTHORIZED", /Sign in/));
    await assert.rejects(createCaller(as(null)).me.get(), rejectsWith("UNAUTHORIZED"));
  });

  it("tells a user with no team to ask for an invite", async () => {
    await assert.rejects(createCaller(as(users.loner)).me.get(), rejectsWith("FORBIDDEN", /invite/));
  });

  it("acts in the team joined first unless the caller chose another", async () => {
    assert.deepEqual(await createCaller(as(users.owner)).me.get(), { userId: users.owner.id, email: "owner@example.com", team: { id: teamId, name: "First", slug: "first" }, role: "owner" });
    const second = await createCaller(as(users.owner, secondTeamId)).me.get();
    assert.deepEqual([second.team.name, second.role], ["Second", "viewer"]);
    await assert.rejects(createCaller(as(users.viewer, secondTeamId)).me.get(), rejectsWith("FORBIDDEN", /not a member of the team you chose/));
  });

  it("lists only the acting team's runs", async () => {
    assert.deepEqual(await createCaller(as(users.owner)).runs.list(), { runs: [], nextCursor: null });
    const second = await createCaller(as(users.owner, secondTeamId)).runs.list({ limit: 10 });
    assert.deepEqual(
      second.runs.map((run) => run.name),
      ["second-team-run"],
    );
  });

  it("turns a domain error into its tRPC code, message intact", async () => {
    await assert.rejects(createCaller(as(users.owner)).runs.list({ cursor: "garbage" }), rejectsWith("BAD_REQUEST", /cursor is not one this API returned/));
  });

  it("refuses malformed input", async () => {
    await assert.rejects(createCaller(as(users.owner)).runs.list({ limit: 5000 }), rejectsWith("BAD_REQUEST"));
    // @ts-expect-error: an unknown state is what the check is for
    await assert.rejects(createCaller(as(users.owner)).runs.list({ state: "exploded" }), rejectsWith("BAD_REQUEST"));
  });

  it("pages through runs with the input an infinite query sends", async () => {
    const caller = createCaller(as(users.owner, secondTeamId));
    // Later than the run made in before(), so these three come first.
    const base = Date.now() + 86_400_000;
    for (let i = 1; i <= 3; i += 1) {
      await prisma.run.create({ data: { teamId: secondTeamId, name: `paged-${i}`, spec: {}, createdAt: new Date(base + i * 60_000) } });
    }
    const first = await caller.runs.list({ limit: 2, cursor: null, direction: "forward" });
    assert.deepEqual(
      first.runs.map((run) => run.name),
      ["paged-3", "paged-2"],
    );
    assert.ok(first.nextCursor);
    const second = await caller.runs.list({ limit: 2, cursor: first.nextCursor, direction: "forward" });
    assert.deepEqual(
      second.runs.map((run) => run.name),
      ["paged-1", "second-team-run"],
    );
    assert.equal(second.nextCursor, null);
  });

  it("checks roles in the procedure factories", async () => {
    const guarded = router({
      write: writerProcedure.meta({ scope: "runs:write" }).query(() => "written"),
      administer: adminProcedure.meta({ scope: "hosts:write" }).query(() => "administered"),
      undeclared: writerProcedure.query(() => "never"),
    });
    const call = createCallerFactory(guarded);
    assert.equal(await call(as(users.owner)).administer(), "administered");
    await assert.rejects(call(as(users.viewer)).write(), rejectsWith("FORBIDDEN", /member role or higher; you are a viewer/));
    await assert.rejects(call(as(users.owner, secondTeamId)).write(), rejectsWith("FORBIDDEN"), "the role is the chosen team's");
    await assert.rejects(call(as(users.owner)).undeclared(), rejectsWith("INTERNAL_SERVER_ERROR", /declares no token scope/), "a procedure must say which token scope may call it");
  });
});
