import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { createPrismaClient, type PrismaClient } from "@bailey/db";
import { migrateDatabase } from "@bailey/db/admin";
import { addScratchMember, createScratchDatabase, createScratchTeam, type ScratchDatabase } from "@bailey/db/testing";
import { type AgentEvent, type CachedImage, type Handlers, protocolVersion, RpcError, rpcErrorCodes, serve } from "@bailey/protocol";
import {
  type AppError,
  carryOutImagePulls,
  HostConnections,
  ingestHostEvents,
  listImagePulls,
  placeQueuedRuns,
  refreshCachedImagesIfDue,
  requestImagePull,
  type PullProgress,
  type TeamContext,
} from "../src";

/**
 * A scripted agent on a real Unix socket: its journal is what the test appends, and image.list /
 * image.pull answer what the test says. For the control plane's side of image events, where the
 * exact sequence (and a failure) must be chosen; the real agent's pulls are in images-agent.test.ts.
 */
async function scriptedAgent(dir: string, name: string) {
  const socketPath = path.join(dir, `${name}.sock`);
  const journal: AgentEvent[] = [];
  const state = { images: [] as CachedImage[], lists: 0, pulls: [] as string[], pull: async (image: string) => ({ image, digest: `sha256:${"d".repeat(64)}`, pulled: true }) };
  const handlers: Handlers = {
    "agent.hello": async () => ({
      protocolVersion,
      agentVersion: "scripted",
      hostId: name,
      runtime: "mock",
      features: { networks: true, sidecars: true, builds: true, runsc: true },
      cpus: 2,
      memoryBytes: 1 << 30,
      runningRuns: [],
    }),
    "events.pull": async ({ afterSeq, limit }) => {
      const events = journal.filter((event) => event.seq > afterSeq).slice(0, limit);
      return { events, lastSeq: journal.at(-1)?.seq ?? 0 };
    },
    "events.ack": async ({ seq }) => ({ ackedSeq: seq }),
    "image.list": async () => {
      state.lists += 1;
      return { images: state.images };
    },
    "image.pull": async ({ image }) => {
      state.pulls.push(image);
      return state.pull(image);
    },
  };
  const server = net.createServer((socket) => void serve(socket, handlers));
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  const append = (type: AgentEvent["type"], data: Record<string, unknown>, runId?: string) =>
    journal.push({ seq: journal.length + 1, at: new Date(Date.now() + journal.length).toISOString(), type, ...(runId ? { runId } : {}), data });
  return { socketPath, state, append, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe("images: pull progress, digests, cached images, pre-pulls and placement", () => {
  let db: ScratchDatabase;
  let prisma: PrismaClient;
  let dir = "";
  let ctx: TeamContext;
  let connections: HostConnections;
  const closers: (() => Promise<void>)[] = [];

  before(async () => {
    db = await createScratchDatabase();
    await migrateDatabase(db.url);
    prisma = createPrismaClient(db.url);
    dir = await mkdtemp(path.join(tmpdir(), "bailey-images-"));
    ({ ctx } = await createScratchTeam(prisma, { role: "admin" }));
    connections = new HostConnections();
  });
  after(async () => {
    connections.close();
    for (const close of closers) await close();
    await prisma.$disconnect();
    await db.drop();
    await rm(dir, { recursive: true, force: true });
  });

  async function hostWithAgent(labels: Record<string, string> = {}) {
    const name = `h-${randomBytes(3).toString("hex")}`;
    const agent = await scriptedAgent(dir, name);
    closers.push(agent.close);
    const host = await prisma.host.create({
      data: { teamId: ctx.teamId, name, transport: "local", address: agent.socketPath, status: "online", capacityRuns: 4, hasRunsc: true, labels, lastSeenAt: new Date() },
    });
    return { host, agent };
  }

  it("a run's image events become its pull progress and digest; progress is not audited, a pull makes the host's list stale", async () => {
    const { host, agent } = await hostWithAgent();
    const image = "127.0.0.1:5050/bailey/progress:1";
    const run = await prisma.run.create({ data: { teamId: ctx.teamId, spec: { image }, image, dependencies: [], state: "provisioning", hostId: host.id } });
    await prisma.host.update({ where: { id: host.id }, data: { cachedImagesAt: new Date() } });
    agent.append("image.pull_started", { image, registry: "127.0.0.1:5050" }, run.id);
    agent.append("image.pull_progress", { image, bytesDone: 1000, bytesTotal: 0 }, run.id);
    agent.append("image.pull_progress", { image, bytesDone: 40_000, bytesTotal: 100_000 }, run.id);
    await ingestHostEvents({ prisma, connections, host });
    let row = await prisma.run.findUniqueOrThrow({ where: { id: run.id } });
    const during = row.pullProgress as unknown as PullProgress;
    assert.equal(during.image, image);
    assert.equal(during.bytesDone, 40_000);
    assert.equal(during.bytesTotal, 100_000);
    assert.equal(during.finishedAt, null);
    assert.equal(row.imageDigest, null);

    const digest = `sha256:${"a".repeat(64)}`;
    // A late progress of a shared pull after its end must not move the bar back.
    agent.append("image.pulled", { image, digest, bytes: 100_000, durationMs: 1200 }, run.id);
    agent.append("image.pull_progress", { image, bytesDone: 50_000, bytesTotal: 100_000 }, run.id);
    await ingestHostEvents({ prisma, connections, host: await prisma.host.findUniqueOrThrow({ where: { id: host.id } }) });
    row = await prisma.run.findUniqueOrThrow({ where: { id: run.id } });
    const done = row.pullProgress as unknown as PullProgress;
    assert.equal(row.imageDigest, digest);
    assert.equal(done.bytesDone, 100_000);
    assert.equal(done.bytesTotal, 100_000);
    assert.ok(done.finishedAt);
    assert.equal(done.error, null);
    assert.equal((await prisma.host.findUniqueOrThrow({ where: { id: host.id } })).cachedImagesAt, null, "image.pulled marks the host's list stale");
    const actions = (await prisma.auditEvent.findMany({ where: { runId: run.id }, select: { action: true } })).map((event) => event.action);
    assert.deepEqual(actions, ["agent.image.pull_started", "agent.image.pulled"]);
    assert.equal(await prisma.hostEvent.count({ where: { hostId: host.id, type: "image.pull_progress" } }), 3, "progress is still kept in the host's events");
  });

  it("a failed pull records its message on the run's progress", async () => {
    const { host, agent } = await hostWithAgent();
    const image = "127.0.0.1:5051/bailey/private:1";
    const run = await prisma.run.create({ data: { teamId: ctx.teamId, spec: { image }, image, dependencies: [], state: "provisioning", hostId: host.id } });
    agent.append("image.pull_started", { image, registry: "127.0.0.1:5051" }, run.id);
    agent.append("image.pull_failed", { image, registry: "127.0.0.1:5051", reason: "unauthorized", message: "127.0.0.1:5051 refused the pull: unauthorized" }, run.id);
    await ingestHostEvents({ prisma, connections, host });
    const progress = (await prisma.run.findUniqueOrThrow({ where: { id: run.id } })).pullProgress as unknown as PullProgress;
    assert.match(progress.error ?? "", /unauthorized/);
    assert.ok(progress.finishedAt);
  });

  it("a stale or never-read host lists its images once; a fresh one is not asked again", async () => {
    const { host, agent } = await hostWithAgent();
    agent.state.images = [{ id: "sha256:1", tags: ["busybox:latest"], digests: [`busybox@sha256:${"b".repeat(64)}`], sizeBytes: 4_000_000, createdAt: null }];
    assert.equal(await refreshCachedImagesIfDue({ prisma, connections, host }), true);
    const listed = await prisma.host.findUniqueOrThrow({ where: { id: host.id } });
    assert.deepEqual(listed.cachedImages, agent.state.images);
    assert.ok(listed.cachedImagesAt);
    assert.equal(await refreshCachedImagesIfDue({ prisma, connections, host: listed }), false);
    assert.equal(agent.state.lists, 1);
    // An image.pulled (without a run: a pre-pull) marks it stale, and the next refresh lists again.
    agent.append("image.pulled", { image: "alpine:3", digest: null }, undefined);
    await ingestHostEvents({ prisma, connections, host: listed });
    const stale = await prisma.host.findUniqueOrThrow({ where: { id: host.id } });
    assert.equal(stale.cachedImagesAt, null);
    assert.equal(await refreshCachedImagesIfDue({ prisma, connections, host: stale }), true);
    assert.equal(agent.state.lists, 2);
  });

  it("placement prefers a fitting host that has the run's image (by tag, or by digest when pinned), else the least loaded", async () => {
    const { team } = await createScratchTeam(prisma);
    const digest = `sha256:${"c".repeat(64)}`;
    const cached = [{ id: "sha256:9", tags: ["127.0.0.1:5050/bailey/app:1"], digests: [`127.0.0.1:5050/bailey/app@${digest}`], sizeBytes: 1, createdAt: null }];
    const warm = await prisma.host.create({ data: { teamId: team.id, name: "warm", address: "127.0.0.1", status: "online", capacityRuns: 2, hasRunsc: true, cachedImages: cached } });
    const cold = await prisma.host.create({ data: { teamId: team.id, name: "cold", address: "127.0.0.1", status: "online", capacityRuns: 10, hasRunsc: true } });
    // warm is busier (1 of 2) than cold (0 of 10): load alone would pick cold.
    await prisma.run.create({ data: { teamId: team.id, spec: {}, image: "x", dependencies: [], state: "running", hostId: warm.id } });
    const place = async (image: string) => {
      const run = await prisma.run.create({ data: { teamId: team.id, spec: { image }, image, dependencies: [] } });
      await placeQueuedRuns({ prisma });
      return (await prisma.run.findUniqueOrThrow({ where: { id: run.id } })).hostId;
    };
    assert.equal(await place("busybox"), cold.id, "no host has it: the least loaded");
    assert.equal(await place(`127.0.0.1:5050/bailey/app@${digest}`), warm.id, "pinned: matched by digest");
    // warm is now full (2 of 2): the image cannot outweigh capacity.
    assert.equal(await place("127.0.0.1:5050/bailey/app:1"), cold.id);
    await prisma.run.updateMany({ where: { hostId: warm.id }, data: { state: "succeeded" } });
    assert.equal(await place("127.0.0.1:5050/bailey/app:1"), warm.id, "by tag");
    assert.equal(await place("127.0.0.1:5050/bailey/app:2"), cold.id, "another tag is another image");
  });

  it("an admin's pre-pull on hosts with a label is audited, carried out, and refreshes what the hosts have", async () => {
    const gpuA = await hostWithAgent({ pool: "gpu" });
    const gpuB = await hostWithAgent({ pool: "gpu" });
    const other = await hostWithAgent({ pool: "cpu" });
    const image = "127.0.0.1:5050/bailey/warm:1";
    const pulls = await requestImagePull({ prisma, ctx, input: { image, labels: { pool: "gpu" } } });
    assert.deepEqual(pulls.map((pull) => pull.hostId).sort(), [gpuA.host.id, gpuB.host.id].sort());
    assert.ok(pulls.every((pull) => pull.state === "pending"));
    // Asked again while pending: no twin rows.
    assert.equal((await requestImagePull({ prisma, ctx, input: { image, hostId: gpuA.host.id } }))[0]!.id, pulls.find((pull) => pull.hostId === gpuA.host.id)!.id);
    const audited = await prisma.auditEvent.findMany({ where: { teamId: ctx.teamId, action: "host.image_pull_requested" } });
    assert.equal(audited.length, 2);

    gpuB.agent.state.pull = async () => {
      throw new RpcError(rpcErrorCodes.imagePullFailed, "127.0.0.1:5050 has no bailey/warm:1 (not_found)", { image, registry: "127.0.0.1:5050", reason: "not_found" });
    };
    gpuA.agent.state.images = [{ id: "sha256:2", tags: [image], digests: [`127.0.0.1:5050/bailey/warm@sha256:${"d".repeat(64)}`], sizeBytes: 10, createdAt: null }];
    const { started, finished } = await carryOutImagePulls({ prisma, connections });
    assert.equal(started, 2);
    assert.equal((await carryOutImagePulls({ prisma, connections })).started, 0, "a pull in progress is not started twice");
    await finished;
    const byHost = new Map((await listImagePulls({ prisma, ctx })).map((pull) => [pull.hostId, pull]));
    assert.equal(byHost.get(gpuA.host.id)?.state, "done");
    assert.equal(byHost.get(gpuA.host.id)?.digest, `sha256:${"d".repeat(64)}`);
    assert.equal(byHost.get(gpuB.host.id)?.state, "failed");
    assert.match(byHost.get(gpuB.host.id)?.error ?? "", /not_found/);
    assert.equal(byHost.has(other.host.id), false);
    assert.deepEqual(other.agent.state.pulls, []);
    assert.deepEqual((await prisma.host.findUniqueOrThrow({ where: { id: gpuA.host.id } })).cachedImages, gpuA.agent.state.images);
  });

  it("bad pre-pull requests say what is wrong", async () => {
    await assert.rejects(requestImagePull({ prisma, ctx, input: { image: "not an image", hostId: "x" } }), (error: AppError) => error.code === "BAD_REQUEST" && /image reference/.test(error.message));
    await assert.rejects(requestImagePull({ prisma, ctx, input: { image: "busybox" } }), (error: AppError) => error.code === "BAD_REQUEST" && /hostId .*or labels/.test(error.message));
    await assert.rejects(requestImagePull({ prisma, ctx, input: { image: "busybox", hostId: "nope" } }), (error: AppError) => error.code === "NOT_FOUND");
    await assert.rejects(
      requestImagePull({ prisma, ctx, input: { image: "busybox", labels: { pool: "tpu" } } }),
      (error: AppError) => error.code === "UNPROCESSABLE" && /pool=tpu/.test(error.message),
    );
    const { ctx: member } = await addScratchMember(prisma, ctx.teamId, { role: "member" });
    const { host } = await hostWithAgent();
    await assert.rejects(requestImagePull({ prisma, ctx: member, input: { image: "busybox", hostId: host.id } }), (error: AppError) => error.code === "FORBIDDEN");
    // Another team's host is not found, not pulled on.
    const { ctx: otherTeam } = await createScratchTeam(prisma, { role: "owner" });
    await assert.rejects(requestImagePull({ prisma, ctx: otherTeam, input: { image: "busybox", hostId: host.id } }), (error: AppError) => error.code === "NOT_FOUND");
  });
});
