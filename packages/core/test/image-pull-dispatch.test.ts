import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { type AgentProcess, docker, startAgent } from "@bailey/agent/testing";
import { createPrismaClient, type PrismaClient } from "@bailey/db";
import { migrateDatabase } from "@bailey/db/admin";
import { createScratchDatabase, createScratchTeam, type ScratchDatabase } from "@bailey/db/testing";
import { pushUniqueTestImage, requireTestRegistries, type TestRegistries } from "@bailey/runtime/testing";
import { createRun, HostConnections, type TeamContext, tick } from "../src";

// Dispatch with a real Docker agent pulling from the loopback registry: the digest lands on the
// Run row with the move to running, and a pull failure fails the run at once with the agent's words.
describe("dispatch pulls the run's image on the host", () => {
  let db: ScratchDatabase;
  let prisma: PrismaClient;
  let dir = "";
  let ctx: TeamContext;
  let agent: AgentProcess;
  let registries: TestRegistries;
  let connections: HostConnections;
  const references: string[] = [];
  const suffix = randomBytes(4).toString("hex");

  before(async () => {
    registries = await requireTestRegistries();
    db = await createScratchDatabase();
    await migrateDatabase(db.url);
    prisma = createPrismaClient(db.url, { maxConnections: 10 });
    dir = await mkdtemp(path.join(tmpdir(), "bailey-pull-dispatch-"));
    await chmod(dir, 0o755);
    ({ ctx } = await createScratchTeam(prisma));
    const hostId = `pull-dispatch-${suffix}`;
    agent = await startAgent({ dir, runtime: "docker", hostId });
    await prisma.host.create({ data: { teamId: ctx.teamId, name: hostId, transport: "local", address: agent.socketPath, capacityRuns: 4, status: "online", hasRunsc: true, lastSeenAt: new Date() } });
    connections = new HostConnections();
  });
  after(async () => {
    connections?.close();
    await agent?.stop();
    for (const reference of references)
      await docker
        .getImage(reference)
        .remove({ force: true })
        .catch(() => undefined);
    await prisma?.$disconnect();
    await db?.drop();
    await rm(dir, { recursive: true, force: true });
  });

  const settle = async (runId: string, done: string[]) => {
    for (let i = 0; i < 80; i++) {
      await tick({ prisma, connections });
      const run = await prisma.run.findUniqueOrThrow({ where: { id: runId } });
      if (done.includes(run.state)) return run;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    return prisma.run.findUniqueOrThrow({ where: { id: runId } });
  };

  it("a never-seen image is pulled on dispatch and the Run row keeps the digest the host ran", async () => {
    const pushed = await pushUniqueTestImage(registries.open, `bailey/dispatch-${suffix}`);
    references.push(pushed.reference);
    const { run } = await createRun({ prisma, ctx, spec: { image: pushed.reference, command: ["true"] } });
    const finished = await settle(run.id, ["succeeded", "failed"]);
    assert.equal(finished.state, "succeeded", finished.lastError ?? finished.stateReason ?? "");
    assert.equal(finished.imageDigest, pushed.digest);
  });

  it("a missing image fails the run on its first dispatch with the agent's reason, not retried", async () => {
    const image = `${registries.open.address}/bailey/dispatch-missing-${suffix}:1`;
    const { run } = await createRun({ prisma, ctx, spec: { image, command: ["true"] } });
    const finished = await settle(run.id, ["failed", "succeeded"]);
    assert.equal(finished.state, "failed");
    assert.equal(finished.dispatchAttempts, 1, "a pull failure is permanent: no second dispatch");
    assert.match(finished.lastError ?? "", /Could not pull 127\.0\.0\.1:5050\/bailey\/dispatch-missing-\w+:1 from 127\.0\.0\.1:5050 \(not found\)/);
  });
});
