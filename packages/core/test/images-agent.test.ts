import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { type AgentProcess, startAgent } from "@bailey/agent/testing";
import { createPrismaClient, type PrismaClient } from "@bailey/db";
import { migrateDatabase } from "@bailey/db/admin";
import { createScratchDatabase, createScratchTeam, type ScratchDatabase } from "@bailey/db/testing";
import type { CachedImage } from "@bailey/protocol";
import { pushUniqueTestImage, requireTestRegistries, type TestRegistries } from "@bailey/runtime/testing";
import { createRun, HostConnections, listImagePulls, placeQueuedRuns, type PullProgress, requestImagePull, type TeamContext, tick } from "../src";

const mib = 1024 * 1024;

describe("images with a real agent on Docker and the loopback registry", () => {
  let db: ScratchDatabase;
  let prisma: PrismaClient;
  let dir = "";
  let ctx: TeamContext;
  let agent: AgentProcess;
  let registries: TestRegistries;
  const connections = new HostConnections();
  const pushed: string[] = [];
  const suffix = randomBytes(4).toString("hex");

  before(async () => {
    registries = await requireTestRegistries();
    db = await createScratchDatabase();
    await migrateDatabase(db.url);
    prisma = createPrismaClient(db.url, { maxConnections: 10 });
    dir = await mkdtemp(path.join(tmpdir(), "bailey-images-agent-"));
    await chmod(dir, 0o755);
    ({ ctx } = await createScratchTeam(prisma, { role: "admin" }));
    agent = await startAgent({ dir, runtime: "docker", hostId: `images-${suffix}` });
  });
  after(async () => {
    connections.close();
    await agent?.stop();
    // Only this test's images: their repositories carry its random suffix.
    if (pushed.length) execFileSync("sh", ["-c", 'docker image rm -f "$@" >/dev/null 2>&1 || true', "sh", ...pushed]);
    await prisma?.$disconnect();
    await db?.drop();
    await rm(dir, { recursive: true, force: true });
  });

  async function tickUntil<T>(what: string, check: () => Promise<T | null | undefined | false>, rounds = 240): Promise<T> {
    for (let i = 0; i < rounds; i++) {
      await tick({ prisma, connections });
      const value = await check();
      if (value) return value;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    throw new Error(`timed out waiting for ${what}\n${agent.output().slice(-4000)}`);
  }

  it("a pre-pull fetches the image, records its digest and the host's cached images; placement then prefers that host; a run's pull records progress and digest", async () => {
    const warm = await pushUniqueTestImage(registries.open, `bailey/core-warm-${suffix}`, { padBytes: 8 * mib });
    const cold = await pushUniqueTestImage(registries.open, `bailey/core-cold-${suffix}`, { padBytes: 40 * mib });
    pushed.push(warm.reference, cold.reference);
    const host = await prisma.host.create({
      data: {
        teamId: ctx.teamId,
        name: `images-${suffix}`,
        transport: "local",
        address: agent.socketPath,
        status: "online",
        capacityRuns: 4,
        hasRunsc: true,
        hasNetworks: true,
        hasSidecars: true,
        lastSeenAt: new Date(),
      },
    });

    // The first tick lists what the engine has (a new connection); the warm image is not among them.
    const listed = await tickUntil("the first image list", async () => (await prisma.host.findUniqueOrThrow({ where: { id: host.id } })).cachedImagesAt);
    assert.ok(listed);
    const hasTag = (images: unknown, reference: string) => (images as CachedImage[]).some((image) => image.tags.includes(reference));
    assert.equal(hasTag((await prisma.host.findUniqueOrThrow({ where: { id: host.id } })).cachedImages, warm.reference), false);

    await requestImagePull({ prisma, ctx, input: { image: warm.reference, hostId: host.id } });
    const done = await tickUntil("the pre-pull", async () => (await listImagePulls({ prisma, ctx, hostId: host.id })).find((pull) => pull.state === "done" || pull.state === "failed"));
    assert.equal(done.state, "done", done.error ?? "");
    assert.equal(done.digest, warm.digest);
    const warmHost = await tickUntil("the cached image list", async () => {
      const row = await prisma.host.findUniqueOrThrow({ where: { id: host.id } });
      return hasTag(row.cachedImages, warm.reference) && row;
    });
    const image = (warmHost.cachedImages as unknown as CachedImage[]).find((candidate) => candidate.tags.includes(warm.reference))!;
    assert.ok(image.digests.some((digest) => digest.endsWith(warm.digest)));
    assert.ok(image.sizeBytes >= 8 * mib);

    // Two hosts fit; the warm one is busier, and still wins for its image (not for another).
    const spare = await prisma.host.create({ data: { teamId: ctx.teamId, name: `spare-${suffix}`, address: "127.0.0.1", status: "online", capacityRuns: 4, hasRunsc: true } });
    const busy = await prisma.run.create({ data: { teamId: ctx.teamId, spec: {}, image: "x", dependencies: [], state: "running", hostId: host.id } });
    const warmRun = await prisma.run.create({ data: { teamId: ctx.teamId, spec: { image: warm.reference }, image: warm.reference, dependencies: [] } });
    const otherRun = await prisma.run.create({ data: { teamId: ctx.teamId, spec: { image: cold.reference }, image: cold.reference, dependencies: [] } });
    await placeQueuedRuns({ prisma });
    assert.equal((await prisma.run.findUniqueOrThrow({ where: { id: warmRun.id } })).hostId, host.id);
    assert.equal((await prisma.run.findUniqueOrThrow({ where: { id: otherRun.id } })).hostId, spare.id);
    await prisma.run.deleteMany({ where: { id: { in: [busy.id, warmRun.id, otherRun.id] } } });
    await prisma.host.delete({ where: { id: spare.id } });

    // A run of an image the host lacks: the agent pulls it, and its journal gives the run its progress and digest.
    const { run } = await createRun({ prisma, ctx, spec: { image: cold.reference, command: ["true"] } });
    const finished = await tickUntil("the cold run to finish", async () => {
      const row = await prisma.run.findUniqueOrThrow({ where: { id: run.id } });
      return ["succeeded", "failed"].includes(row.state) && row;
    });
    assert.equal(finished.state, "succeeded", finished.stateReason ?? "");
    assert.equal(finished.imageDigest, cold.digest);
    const progress = finished.pullProgress as unknown as PullProgress;
    assert.equal(progress.image, cold.reference);
    assert.ok(progress.bytesTotal >= 40 * mib, `bytesTotal ${progress.bytesTotal}`);
    assert.equal(progress.bytesDone, progress.bytesTotal);
    assert.ok(progress.finishedAt);
    assert.equal(progress.error, null);
    const actions = (await prisma.auditEvent.findMany({ where: { runId: run.id }, select: { action: true } })).map((event) => event.action);
    assert.ok(actions.includes("agent.image.pull_started") && actions.includes("agent.image.pulled"), actions.join(", "));
    assert.ok(!actions.includes("agent.image.pull_progress"));
    assert.ok((await prisma.hostEvent.count({ where: { runId: run.id, type: "image.pull_progress" } })) >= 1, "at least one progress event was journalled");
    await tickUntil("the cold image in the host's list", async () => hasTag((await prisma.host.findUniqueOrThrow({ where: { id: host.id } })).cachedImages, cold.reference));
  });
});
