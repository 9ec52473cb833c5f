import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before } from "node:test";
import { type AgentProcess, removeByHost } from "@bailey/agent/testing";
import { createPrismaClient, type PrismaClient } from "@bailey/db";
import { migrateDatabase } from "@bailey/db/admin";
import { createScratchDatabase, type ScratchDatabase } from "@bailey/db/testing";

export interface FaultSetup {
  db: ScratchDatabase;
  prisma: PrismaClient;
  /** A scratch directory the agents' sockets and state go in (others may enter it: Postgres runs as another user). */
  dir: string;
  /** Agents started by the test: stopped at the end, and the engine cleared of their host's resources. */
  agents: AgentProcess[];
}

/** A migrated scratch database and directory for one fault-test file, torn down after it with whatever its host left. */
export function useFaultSetup(options: { hostId: string; maxConnections: number }): FaultSetup {
  const setup = { agents: [] } as unknown as FaultSetup;
  before(async () => {
    setup.db = await createScratchDatabase();
    await migrateDatabase(setup.db.url);
    setup.prisma = createPrismaClient(setup.db.url, { maxConnections: options.maxConnections });
    setup.dir = await mkdtemp(path.join(tmpdir(), `bailey-${options.hostId}-`));
    await chmod(setup.dir, 0o755);
  });
  after(async () => {
    for (const agent of setup.agents) await agent.stop();
    await removeByHost(options.hostId);
    await setup.prisma?.$disconnect();
    await setup.db?.drop();
    if (setup.dir) await rm(setup.dir, { recursive: true, force: true });
  });
  return setup;
}

/** A small seeded generator, so a failing sequence of kill instants can be replayed. */
export function seededRandom(start: number): () => number {
  let state = start >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
}
