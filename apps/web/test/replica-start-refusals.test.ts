// A replica (BAILEY_MIGRATE=skip) against a database it must not change: a schema that is behind
// and keys it would have to invent each stop the start with what to run or set.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import net from "node:net";
import path from "node:path";
import { after, before, it } from "node:test";
import { createPrismaClient } from "@bailey/db";
import { migrateDatabase } from "@bailey/db/admin";
import { createScratchDatabase, createScratchTeam, type ScratchDatabase } from "@bailey/db/testing";
import { launcherMain } from "./launcher-process";

let db: ScratchDatabase;
let dir: string;
before(async () => {
  db = await createScratchDatabase();
  dir = await mkdtemp(path.join(tmpdir(), "bailey-replica-refusals-"));
});
after(async () => {
  await db.drop();
  await rm(dir, { recursive: true, force: true });
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

async function startReplica(dataDir: string): Promise<{ code: number | null; output: string }> {
  const port = await freePort();
  const child = spawn(process.execPath, ["--import", "tsx", launcherMain], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, DATABASE_URL: db.url, BAILEY_MIGRATE: "skip", BAILEY_DATA_DIR: dataDir, PORT: String(port), BAILEY_HOST: "127.0.0.1", NEXTAUTH_SECRET: "", BAILEY_SSH_PRIVATE_KEY_FILE: "" },
  });
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk));
  const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
  return new Promise((resolve) =>
    child.once("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    }),
  );
}

it("refuses a schema that is behind, naming the command, then keys it would invent, naming the variables", { timeout: 180_000 }, async () => {
  const behind = await startReplica(path.join(dir, "a"));
  assert.equal(behind.code, 1, behind.output);
  assert.match(behind.output, /database schema is behind by \d+ migration\(s\)/);
  assert.match(behind.output, /npm run db:migrate/);

  await migrateDatabase(db.url);
  const prisma = createPrismaClient(db.url, { maxConnections: 2 });
  try {
    const { team } = await createScratchTeam(prisma, { role: "admin" });
    await prisma.host.create({ data: { teamId: team.id, name: "enrolled", transport: "ssh", address: "host.example:22", capacityRuns: 1, status: "online" } });
  } finally {
    await prisma.$disconnect();
  }
  const keys = await startReplica(path.join(dir, "b"));
  assert.equal(keys.code, 1, keys.output);
  assert.match(keys.output, /Running several replicas/);
  assert.match(keys.output, /BAILEY_SSH_PRIVATE_KEY_FILE: this database has hosts enrolled over SSH/);
  assert.match(keys.output, /NEXTAUTH_SECRET: every replica must sign sessions with the same secret/);
  assert.doesNotMatch(keys.output, /made the control plane's SSH key/, "no key was generated");
});
