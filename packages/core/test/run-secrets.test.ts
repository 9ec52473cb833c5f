import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { chmod, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { type AgentProcess, startAgent } from "@bailey/agent/testing";
import { createPrismaClient, type PrismaClient } from "@bailey/db";
import { migrateDatabase } from "@bailey/db/admin";
import { createScratchDatabase, createScratchTeam, type ScratchDatabase } from "@bailey/db/testing";
import { AppError, createRun, createRunFromYaml, createSecretsKeyFile, createTeamSecret, deleteTeamSecret, HostConnections, readRunLogs, type TeamContext, tick } from "../src";

const image = "bailey-test/busybox:latest";

/** Every row of every table as text (what pg_dump's data section would hold). */
async function dumpAllRows(prisma: PrismaClient): Promise<string> {
  const tables = await prisma.$queryRaw<{ name: string }[]>`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`;
  const parts: string[] = [];
  for (const { name } of tables) {
    const rows = await prisma.$queryRawUnsafe<{ row: string }[]>(`SELECT row_to_json(t)::text AS row FROM "${name.replaceAll('"', '""')}" t`);
    parts.push(...rows.map((row) => row.row));
  }
  return parts.join("\n");
}

/**
 * Every file the agent itself wrote under `dir`, as text. Not run-logs/: a run's log file is its
 * output as it printed it (like the engine's own log), and this test's run echoes its secrets.
 */
async function everyFileText(dir: string): Promise<string> {
  const texts: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.parentPath.split(path.sep).includes("run-logs")) continue;
    if (entry.isFile()) texts.push(await readFile(path.join(entry.parentPath, entry.name), "utf8"));
  }
  return texts.join("\n");
}

// A run names team secrets; createRun checks they exist, dispatch unseals them into run.create's
// credentials for a real Docker agent, and nothing but the names is stored anywhere.
describe("runs that reference team secrets", () => {
  let db: ScratchDatabase;
  let prisma: PrismaClient;
  let dir = "";
  let ctx: TeamContext;
  let agent: AgentProcess;
  let connections: HostConnections;
  const envValue = `run-env-secret-${randomBytes(10).toString("hex")}`;
  const fileValue = `run-file-secret-${randomBytes(10).toString("hex")}`;
  const previousKeyFile = process.env.BAILEY_SECRETS_KEY_FILE;

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "bailey-run-secrets-"));
    await chmod(dir, 0o755);
    process.env.BAILEY_SECRETS_KEY_FILE = createSecretsKeyFile(path.join(dir, "secrets-key")).file;
    db = await createScratchDatabase();
    await migrateDatabase(db.url);
    prisma = createPrismaClient(db.url, { maxConnections: 10 });
    ({ ctx } = await createScratchTeam(prisma, { role: "admin" }));
    const hostId = `run-secrets-${randomBytes(3).toString("hex")}`;
    agent = await startAgent({ dir, runtime: "docker", hostId });
    await prisma.host.create({ data: { teamId: ctx.teamId, name: hostId, transport: "local", address: agent.socketPath, capacityRuns: 4, status: "online", hasRunsc: true, lastSeenAt: new Date() } });
    connections = new HostConnections();
    await createTeamSecret({ prisma, ctx, name: "API_TOKEN", value: envValue });
    await createTeamSecret({ prisma, ctx, name: "deploy-key", value: fileValue });
  });
  after(async () => {
    connections?.close();
    await agent?.stop();
    await prisma?.$disconnect();
    await db?.drop();
    await rm(dir, { recursive: true, force: true });
    if (previousKeyFile === undefined) delete process.env.BAILEY_SECRETS_KEY_FILE;
    else process.env.BAILEY_SECRETS_KEY_FILE = previousKeyFile;
  });

  const settle = async (runId: string, done: string[]) => {
    for (let i = 0; i < 120; i++) {
      await tick({ prisma, connections });
      const run = await prisma.run.findUniqueOrThrow({ where: { id: runId } });
      if (done.includes(run.state)) return run;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    return prisma.run.findUniqueOrThrow({ where: { id: runId } });
  };

  it("refuses names the team does not have with a 400 naming them and the Secrets page; and bad references with the field", async () => {
    const { ctx: other } = await createScratchTeam(prisma, { role: "admin" });
    await assert.rejects(createRun({ prisma, ctx: other, spec: { image, secrets: { TOKEN: "API_TOKEN" }, secretFiles: ["deploy-key", "nope"] } }), (error: unknown) => {
      assert.ok(error instanceof AppError);
      assert.equal(error.code, "BAD_REQUEST");
      assert.equal(
        error.message,
        "The run names secrets the team does not have: API_TOKEN, deploy-key, nope. Create them on the Secrets page (or POST /api/v1/secrets), or correct the names in the run's secrets and secretFiles.",
      );
      assert.deepEqual(error.details, { missingSecrets: ["API_TOKEN", "deploy-key", "nope"] });
      return true;
    });
    await assert.rejects(createRun({ prisma, ctx, spec: { image, secrets: { "BAD-ENV": "API_TOKEN" } } }), /secrets\.BAD-ENV: must be a valid environment variable name/);
    await assert.rejects(createRun({ prisma, ctx, spec: { image, secretFiles: ["../etc/passwd"] } }), /secretFiles\.0: must be a secret name/);
    await assert.rejects(createRun({ prisma, ctx, spec: { image, env: { TOKEN: "x" }, secrets: { TOKEN: "API_TOKEN" } } }), /secrets\.TOKEN: TOKEN is set in env as well/);
    await assert.rejects(createRun({ prisma, ctx, spec: { image, secretFiles: ["deploy-key", "deploy-key"] } }), /secretFiles: deploy-key listed more than once/);
    assert.equal(await prisma.run.count({ where: { teamId: other.teamId } }), 0);
  });

  it("dispatch delivers the env secret and the file; Postgres and the agent's state hold only the names", async () => {
    const { run } = await createRun({
      prisma,
      ctx,
      spec: { image, command: ["sh", "-c", 'echo "env=$TOKEN"; echo "file=$(cat /run/secrets/deploy-key)"'], secrets: { TOKEN: "API_TOKEN" }, secretFiles: ["deploy-key"] },
    });
    assert.deepEqual((run.spec as { secrets: unknown }).secrets, { TOKEN: "API_TOKEN" });
    const finished = await settle(run.id, ["succeeded", "failed"]);
    assert.equal(finished.state, "succeeded", finished.lastError ?? finished.stateReason ?? "");
    const { text } = await readRunLogs({ prisma, ctx, connections, runId: run.id });
    assert.match(text, new RegExp(`env=${envValue}`));
    assert.match(text, new RegExp(`file=${fileValue}`));

    const dump = await dumpAllRows(prisma);
    assert.ok(dump.includes(run.id) && dump.includes("deploy-key"), "the dump holds the run and the names");
    for (const value of [envValue, fileValue]) {
      assert.ok(!dump.includes(value), "no secret value in any row");
      assert.ok(!(await everyFileText(agent.stateDir)).includes(value), "no secret value in the agent's state directory");
    }
  });

  it("a Bailey YAML spec names secrets the same way (moat's op:// references stay ignored)", async () => {
    const { run, ignored } = await createRunFromYaml({ prisma, ctx, yaml: `image: ${image}\ncommand: ["true"]\nsecrets: { TOKEN: API_TOKEN }\nsecretFiles: [deploy-key]\n` });
    assert.deepEqual(ignored, []);
    assert.deepEqual((run.spec as { secretFiles: unknown }).secretFiles, ["deploy-key"]);
    await assert.rejects(createRunFromYaml({ prisma, ctx, yaml: `image: ${image}\nsecrets: { TOKEN: MISSING_ONE }\n` }), /does not have: MISSING_ONE\. Create it on the Secrets page/);
    await settle(run.id, ["succeeded", "failed"]);
  });

  it("a secret deleted while the run was queued fails the run at dispatch, naming it", async () => {
    const doomed = await createTeamSecret({ prisma, ctx, name: "DOOMED", value: "doomed-value" });
    const { run } = await createRun({ prisma, ctx, spec: { image, command: ["true"], secrets: { X: "DOOMED" } } });
    await deleteTeamSecret({ prisma, ctx, secretId: doomed.id });
    const finished = await settle(run.id, ["failed", "succeeded"]);
    assert.equal(finished.state, "failed");
    assert.match(finished.lastError ?? "", /The run's secrets could not be read: The run names a secret the team does not have: DOOMED/);
  });
});
