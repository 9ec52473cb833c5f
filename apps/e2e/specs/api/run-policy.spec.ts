import { createApiToken } from "@bailey/core";
import { createPrismaClient } from "@bailey/db";
import { addScratchMember, createScratchTeam } from "@bailey/db/testing";
import { expect, test } from "../../fixtures/test";

const env = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is unset: run through \`npm test\`.`);
  return value;
};

/** A team of its own with no hosts (its runs stay queued, so the queue cap is exact), an admin and a member, each with a token. */
async function seedPolicyTeam() {
  const prisma = createPrismaClient(env("BAILEY_E2E_DATABASE_URL"), { maxConnections: 2 });
  try {
    const slug = `e2e-policy-${Date.now()}`;
    const { team, ctx: admin } = await createScratchTeam(prisma, { slug, name: "Policy", role: "admin" });
    const { ctx: member } = await addScratchMember(prisma, team.id, { role: "member" });
    const adminToken = (await createApiToken({ prisma, ctx: admin, name: "admin", scopes: ["runs:read", "runs:write", "team:write", "audit:read"] })).token;
    const memberToken = (await createApiToken({ prisma, ctx: member, name: "member", scopes: ["runs:read", "runs:write"] })).token;
    return { admin: { authorization: `Bearer ${adminToken}` }, member: { authorization: `Bearer ${memberToken}` }, memberUserId: member.actor.userId };
  } finally {
    await prisma.$disconnect();
  }
}

test("REST: the team policy refuses a member's docker:host run (403, audited) until an admin changes it; the queue cap answers 429", async ({ request }) => {
  const { admin, member, memberUserId } = await seedPolicyTeam();
  const hostRun = { image: "bailey-test/busybox:latest", command: ["true"], dependencies: ["docker:host"] };

  const refused = await request.post("/api/v1/runs", { headers: member, data: hostRun });
  expect(refused.status()).toBe(403);
  const { error } = await refused.json();
  expect(error.code).toBe("FORBIDDEN");
  expect(error.message).toMatch(/^docker:host runs need the admin role in team Policy \(team policy/);
  expect(error.message).toContain("PATCH /api/v1/team/policy");
  expect(error.details).toEqual({ policy: "team", capability: "docker:host", requiredRole: "admin" });
  const audit = await (await request.get("/api/v1/audit?action=run.refused", { headers: admin })).json();
  expect(audit.events.map((event: { actorType: string; data: { capability: string; onBehalfOf: string } }) => [event.actorType, event.data.capability, event.data.onBehalfOf])).toEqual([
    ["token", "docker:host", memberUserId],
  ]);

  // An admin may; a member may not read or change the policy.
  expect((await request.post("/api/v1/runs", { headers: admin, data: hostRun })).status()).toBe(201);
  expect((await request.get("/api/v1/team/policy", { headers: member })).status()).toBe(403);
  expect((await request.patch("/api/v1/team/policy", { headers: member, data: { minRoleDockerHost: "member" } })).status()).toBe(403);
  const current = await request.get("/api/v1/team/policy", { headers: admin });
  expect((await current.json()).policy).toEqual({
    minRoleDockerHost: "admin",
    minRoleDockerDind: "admin",
    minRoleSandboxNone: "admin",
    defaultRunTimeoutSeconds: 14400,
    maxQueuedRuns: 500,
    unplaceableTimeoutSeconds: 900,
    defaultEgressPolicy: "open",
    blobRetentionDays: 30,
  });
  expect((await request.patch("/api/v1/team/policy", { headers: admin, data: {} })).status()).toBe(400);
  expect((await request.patch("/api/v1/team/policy", { headers: admin, data: { minRoleDockerHost: "viewer" } })).status()).toBe(400);

  const changed = await request.patch("/api/v1/team/policy", { headers: admin, data: { minRoleDockerHost: "member", defaultRunTimeoutSeconds: 600, maxQueuedRuns: 3 } });
  expect(changed.status()).toBe(200);
  expect((await changed.json()).policy).toMatchObject({ minRoleDockerHost: "member", defaultRunTimeoutSeconds: 600, maxQueuedRuns: 3 });
  const policyAudit = await (await request.get("/api/v1/audit?action=team.policy_changed", { headers: admin })).json();
  expect(policyAudit.events[0].data.changed.minRoleDockerHost).toEqual({ from: "admin", to: "member" });

  // Now the member's docker:host run is queued, with the team's default timeout recorded on it.
  const allowed = await request.post("/api/v1/runs", { headers: member, data: hostRun });
  expect(allowed.status()).toBe(201);
  const { run } = await allowed.json();
  expect((await (await request.get(`/api/v1/runs/${run.id}`, { headers: member })).json()).run.timeoutSeconds).toBe(600);

  // Two queued, room for one more; the next is 429 with the cap in the message.
  expect((await request.post("/api/v1/runs", { headers: member, data: { image: "bailey-test/busybox:latest" } })).status()).toBe(201);
  const capped = await request.post("/api/v1/runs", { headers: member, data: { image: "bailey-test/busybox:latest" } });
  expect(capped.status()).toBe(429);
  const cappedBody = await capped.json();
  expect(cappedBody.error.code).toBe("TOO_MANY_REQUESTS");
  expect(cappedBody.error.message).toMatch(/already has 3 queued runs, its cap of 3/);
});

test("REST: a docker:dind run the team policy allows is not sent to a host whose BAILEY_ALLOW lacks it: it waits, naming the host and the line to add", async ({ request }) => {
  const admin = { authorization: `Bearer ${env("BAILEY_E2E_API_TOKEN")}` };
  const created = await request.post("/api/v1/runs", { headers: admin, data: { image: "bailey-test/busybox:latest", command: ["true"], dependencies: ["docker:dind"], sandbox: "gvisor" } });
  expect(created.status()).toBe(201);
  const { run } = await created.json();
  let current = run;
  for (let i = 0; i < 80 && !current.waitReason; i++) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    current = (await (await request.get(`/api/v1/runs/${run.id}`, { headers: admin })).json()).run;
  }
  expect(current.state).toBe("queued");
  expect(current.dispatchAttempts).toBe(0);
  expect(current.waitReason).toContain("e2e-ssh-host does not allow docker:dind (its BAILEY_ALLOW is empty; put BAILEY_ALLOW=docker:dind in /etc/bailey/agent.env on it and restart the agent)");
  expect(current.unplaceableSince).not.toBeNull();
  expect(current.sidecars).toEqual([]);
  // Out of the automation team's queue, for the specs after this one.
  expect((await request.post(`/api/v1/runs/${run.id}/stop`, { headers: admin, data: {} })).status()).toBe(200);
});
