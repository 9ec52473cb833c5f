import { existsSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { ConfigurationError, type LauncherEnv } from "./env";

/**
 * Replicas share one database, so they must share the keys that database's rows depend on. A
 * replica about to make a new key (none configured, none in its data directory) while the
 * database already holds rows only the existing key can serve would be silently broken (hosts
 * that trust another key, secrets sealed under another key): it stops and says what to set.
 * Only an external DATABASE_URL can have been used by another control plane.
 */
export async function assertSharedSecretsGiven(env: LauncherEnv, databaseUrl: string, options: { replica: boolean }): Promise<void> {
  if (!env.DATABASE_URL) return;
  const missing = (configured: string | undefined, stored: string) => !configured && !existsSync(path.join(env.dataDir, stored));
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const has = async (sql: string) => Boolean((await client.query<{ found: boolean }>(`SELECT EXISTS (${sql}) AS found`)).rows[0]?.found);
  const problems: string[] = [];
  try {
    if (missing(env.BAILEY_SSH_PRIVATE_KEY_FILE, "ssh/id_ed25519") && (await has(`SELECT 1 FROM "Host" WHERE transport = 'ssh'`))) {
      problems.push(
        "BAILEY_SSH_PRIVATE_KEY_FILE: this database has hosts enrolled over SSH, and they trust only the control-plane key they were enrolled with. Set BAILEY_SSH_PRIVATE_KEY_FILE to that key (the first control plane's <data dir>/ssh/id_ed25519).",
      );
    }
    if (missing(env.BAILEY_SECRETS_KEY_FILE, "secrets-key") && (await has(`SELECT 1 FROM "Secret" UNION ALL SELECT 1 FROM "RegistryCredential" UNION ALL SELECT 1 FROM "WebhookEndpoint"`))) {
      problems.push(
        "BAILEY_SECRETS_KEY_FILE: this database holds secrets sealed with an existing secrets key. Set BAILEY_SECRETS_KEY_FILE to that key (the first control plane's <data dir>/secrets-key).",
      );
    }
    if (missing(env.BAILEY_AUDIT_SIGNING_KEY_FILE, "audit-signing-key") && (await has(`SELECT 1 FROM "AuditCheckpoint"`))) {
      problems.push(
        "BAILEY_AUDIT_SIGNING_KEY_FILE: this database's audit checkpoints are signed with an existing key. Set BAILEY_AUDIT_SIGNING_KEY_FILE to that key (the first control plane's <data dir>/audit-signing-key).",
      );
    }
    // Sessions are signed with it: replicas with different secrets would sign each other's users out.
    if (options.replica && missing(env.NEXTAUTH_SECRET, "auth-secret") && (await has(`SELECT 1 FROM "User"`))) {
      problems.push("NEXTAUTH_SECRET: every replica must sign sessions with the same secret. Set NEXTAUTH_SECRET to the same value on each (the first control plane's <data dir>/auth-secret).");
    }
  } finally {
    await client.end().catch(() => undefined);
  }
  if (problems.length) {
    throw new ConfigurationError(
      `Bailey cannot start: it would make new keys, but this database was set up with others that every replica must share (README: "Running several replicas").\n${problems.map((line) => `  - ${line}`).join("\n")}`,
    );
  }
}
