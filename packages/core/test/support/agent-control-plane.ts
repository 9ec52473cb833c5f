import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { type AgentProcess, startAgent } from "@bailey/agent/testing";
import { createPrismaClient, type PrismaClient } from "@bailey/db";
import { migrateDatabase } from "@bailey/db/admin";
import { createScratchDatabase, createScratchTeam, type ScratchDatabase } from "@bailey/db/testing";
import { HostConnections, openRunLogs, type TeamContext } from "../../src";

/** A control plane in front of one real agent: a migrated scratch database, a team, and the agent (local transport, real Docker) as the team's online host. */
export interface AgentControlPlane {
  dir: string;
  db: ScratchDatabase;
  prisma: PrismaClient;
  ctx: TeamContext;
  agent: AgentProcess;
  connections: HostConnections;
  /** The Host row's id. */
  hostId: string;
  stop(): Promise<void>;
}

export async function startAgentControlPlane(
  name: string,
  { role = "admin", protocolVersion }: { role?: NonNullable<Parameters<typeof createScratchTeam>[1]>["role"]; protocolVersion?: number } = {},
): Promise<AgentControlPlane> {
  const dir = await mkdtemp(path.join(tmpdir(), `bailey-${name}-`));
  await chmod(dir, 0o755);
  const db = await createScratchDatabase();
  await migrateDatabase(db.url);
  const prisma = createPrismaClient(db.url, { maxConnections: 10 });
  const { ctx } = await createScratchTeam(prisma, { role });
  const agentHostId = `${name}-${randomBytes(3).toString("hex")}`;
  const agent = await startAgent({ dir, runtime: "docker", hostId: agentHostId, ...(protocolVersion !== undefined ? { protocolVersion } : {}) });
  const host = await prisma.host.create({
    data: { teamId: ctx.teamId, name: agentHostId, transport: "local", address: agent.socketPath, capacityRuns: 4, status: "online", hasRunsc: true, lastSeenAt: new Date() },
  });
  const connections = new HostConnections();
  return {
    dir,
    db,
    prisma,
    ctx,
    agent,
    connections,
    hostId: host.id,
    stop: async () => {
      connections.close();
      await agent.stop();
      await prisma.$disconnect();
      await db.drop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** All that a run's log stream gives, as one buffer. */
export async function readWholeRunLog(options: Parameters<typeof openRunLogs>[0]): Promise<Buffer> {
  const { stream } = await openRunLogs(options);
  assert.ok(stream, "the run has logs to read");
  const parts: Buffer[] = [];
  for await (const chunk of stream.chunks) parts.push(Buffer.from(chunk.data));
  return Buffer.concat(parts);
}
