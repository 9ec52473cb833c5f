import pg from "pg";
import { redact } from "./database-url";

/**
 * Fails fast, with the cause and the fix, when the database cannot be reached —
 * before anything else (migrations, the web server) is started.
 */
export async function checkDatabaseReachable(databaseUrl: string, timeoutMs = 5_000): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: timeoutMs });
  try {
    await client.connect();
    await client.query("SELECT 1");
  } catch (error) {
    throw new Error(describeConnectionFailure(databaseUrl, error));
  } finally {
    await client.end().catch(() => undefined);
  }
}

function describeConnectionFailure(databaseUrl: string, error: unknown): string {
  const where = redact(databaseUrl);
  const code = (error as { code?: string }).code;
  const message = error instanceof Error ? error.message : String(error);
  const hint =
    code === "ECONNREFUSED"
      ? "Nothing is listening there: start that Postgres server, or unset DATABASE_URL to use Bailey's embedded Postgres."
      : code === "ENOTFOUND" || code === "EAI_AGAIN"
        ? "The host name does not resolve: check the host part of DATABASE_URL."
        : code === "28P01" || code === "28000"
          ? "The server refused the user name or password in DATABASE_URL."
          : code === "3D000"
            ? "That database does not exist: create it (createdb <name>) or fix the path of DATABASE_URL."
            : /timeout/i.test(message)
              ? "The server did not answer in time: check the host, port and any firewall."
              : "Check DATABASE_URL, or unset it to use Bailey's embedded Postgres.";
  return `Cannot reach the database at ${where}: ${message}${code ? ` (${code})` : ""}. ${hint}`;
}
