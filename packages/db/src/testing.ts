import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { startEmbeddedPostgres, type RunningPostgres } from "./embedded-postgres";
import type { Membership, PrismaClient, Role, Team } from "./generated/prisma/client";

export interface ScratchDatabase {
  url: string;
  drop(): Promise<void>;
}

/**
 * A fresh, empty database for one test file. It lives on the server named by
 * BAILEY_TEST_POSTGRES_URL (the test runner starts one embedded server for the whole
 * suite), or, when that is unset, on an embedded server started just for this process.
 */
export async function createScratchDatabase(): Promise<ScratchDatabase> {
  const { serverUrl, stopServer } = await testServer();
  const name = `bailey_test_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      await dropDatabase(serverUrl, name);
      await stopServer();
    },
  };
}

/** How long a scratch database's drop may wait before the test moves on without it. */
const dropTimeoutMs = 30_000;

/**
 * Drops a scratch database, waiting at most {@link dropTimeoutMs}. DROP DATABASE waits until every
 * backend of the whole server has acknowledged it (a ProcSignalBarrier), so one stuck backend of
 * another test file would otherwise hang this file's clean-up for good. On a timeout it prints
 * what the server's other backends are doing (the clue to that stuck one) and leaves the
 * database to the server's own removal at the end of the suite.
 */
async function dropDatabase(serverUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl, statement_timeout: dropTimeoutMs });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  } catch (error) {
    if ((error as { code?: string }).code !== "57014") throw error;
    const { rows } = await client.query(
      `SELECT pid, datname, state, wait_event_type, wait_event, now() - xact_start AS in_transaction, left(query, 200) AS query
         FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND backend_type = 'client backend'`,
    );
    console.error(
      `[scratch-db] DROP DATABASE ${name} did not finish in ${dropTimeoutMs / 1000} s; left to the server's removal. Other backends:\n${rows.map((row) => `  ${JSON.stringify(row)}`).join("\n")}`,
    );
  } finally {
    await client.end();
  }
}

async function testServer(): Promise<{ serverUrl: string; stopServer: () => Promise<void> }> {
  const shared = process.env.BAILEY_TEST_POSTGRES_URL;
  if (shared) return { serverUrl: shared, stopServer: async () => undefined };
  const dataDir = await mkdtemp(path.join(tmpdir(), "bailey-pg-"));
  const server: RunningPostgres = await startEmbeddedPostgres({ dataDir, database: "postgres" });
  return {
    serverUrl: server.url,
    stopServer: async () => {
      await server.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export interface ScratchTeamOptions {
  /** Defaults to a random `scratch-…` slug, so several teams may share one database. */
  slug?: string;
  name?: string;
  /** The member's role; default "member". */
  role?: Role;
  /** Make this existing user the member instead of creating one. */
  userId?: string;
  /** The new member's email; default `<slug>@scratch.test`. */
  email?: string;
  /** The new member's display name; default none. */
  userName?: string;
}

export interface ScratchTeam {
  team: Team;
  user: { id: string; email: string };
  membership: Membership;
  /** What core's services take as `ctx` (a TeamContext): the member acting as themself. */
  ctx: { teamId: string; role: Role; actor: { type: "user"; userId: string } };
}

/** A team with one member (a new user, or `userId`), for tests that act on a team's behalf. */
export async function createScratchTeam(prisma: PrismaClient, options: ScratchTeamOptions = {}): Promise<ScratchTeam> {
  const slug = options.slug ?? `scratch-${randomBytes(4).toString("hex")}`;
  const team = await prisma.team.create({ data: { slug, name: options.name ?? slug } });
  return { team, ...(await addScratchMember(prisma, team.id, { ...options, email: options.email ?? `${slug}@scratch.test` })) };
}

/** Another member of an existing team (a new user, or `userId`), and their ctx. */
export async function addScratchMember(prisma: PrismaClient, teamId: string, options: Omit<ScratchTeamOptions, "slug" | "name"> = {}): Promise<Omit<ScratchTeam, "team">> {
  const role = options.role ?? "member";
  const user = options.userId
    ? await prisma.user.findUniqueOrThrow({ where: { id: options.userId }, select: { id: true, email: true } })
    : await prisma.user.create({ data: { email: options.email ?? `member-${randomBytes(4).toString("hex")}@scratch.test`, name: options.userName ?? null }, select: { id: true, email: true } });
  const membership = await prisma.membership.create({ data: { teamId, userId: user.id, role } });
  return { user, membership, ctx: { teamId, role, actor: { type: "user", userId: user.id } } };
}
