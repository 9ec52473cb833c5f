import { redact } from "@bailey/db";
import { checkDatabaseReachable, startEmbeddedPostgres } from "@bailey/db/admin";
import type { LauncherEnv } from "./env";

export interface ProvidedDatabase {
  url: string;
  description: string;
  stop(): Promise<void>;
}

/** The configured Postgres when DATABASE_URL is set, else an embedded one in the data directory. */
export async function provideDatabase(env: LauncherEnv, log: (line: string) => void): Promise<ProvidedDatabase> {
  if (env.DATABASE_URL) {
    await checkDatabaseReachable(env.DATABASE_URL);
    return { url: env.DATABASE_URL, description: redact(env.DATABASE_URL), stop: async () => undefined };
  }
  const server = await startEmbeddedPostgres({ dataDir: env.dataDir, port: env.BAILEY_POSTGRES_PORT, log });
  return {
    url: server.url,
    description: `embedded Postgres on 127.0.0.1:${server.port}, data in ${env.dataDir}/postgres`,
    stop: () => server.stop(),
  };
}
