import path from "node:path";
import { z } from "zod";
import { parseDatabaseUrl } from "@bailey/db";

// The launcher's settings (`npm start`). It is the only launcher code reading process.env;
// what the Next.js server itself needs is validated again in src/env.ts.
const port = (name: string, example: string) =>
  z.coerce
    .number({ error: `${name} must be a port number. Example: ${name}=${example}` })
    .int(`${name} must be a whole number. Example: ${name}=${example}`)
    .min(1, `${name} must be between 1 and 65535. Example: ${name}=${example}`)
    .max(65535, `${name} must be between 1 and 65535. Example: ${name}=${example}`);

const optional = (value: unknown) => (value === "" ? undefined : value);

const launcherEnvSchema = z.object({
  DATABASE_URL: z.preprocess(
    optional,
    z
      .string()
      .superRefine((value, ctx) => {
        try {
          parseDatabaseUrl(value);
        } catch (error) {
          ctx.addIssue({ code: "custom", message: (error as Error).message });
        }
      })
      .optional(),
  ),
  BAILEY_DATA_DIR: z.preprocess(optional, z.string().default(".bailey")),
  BAILEY_POSTGRES_PORT: z.preprocess(optional, port("BAILEY_POSTGRES_PORT", "5433").optional()),
  PORT: z.preprocess(optional, port("PORT", "3000").default(3000)),
  BAILEY_HOST: z.preprocess(optional, z.string().default("0.0.0.0")),
  BAILEY_ADMIN_EMAIL: z.preprocess(optional, z.email("BAILEY_ADMIN_EMAIL must be an email address. Example: BAILEY_ADMIN_EMAIL=you@example.com").default("admin@bailey.local")),
  BAILEY_ADMIN_PASSWORD: z.preprocess(optional, z.string().min(8, "BAILEY_ADMIN_PASSWORD must be at least 8 characters. Example: BAILEY_ADMIN_PASSWORD='correct horse battery staple'").optional()),
  BAILEY_TICK_INTERVAL_MS: z.preprocess(
    optional,
    z.coerce.number({ error: "BAILEY_TICK_INTERVAL_MS must be milliseconds (0 turns the built-in scheduler off). Example: BAILEY_TICK_INTERVAL_MS=2000" }).int().min(0).default(2000),
  ),
  BAILEY_MIGRATE: z.preprocess(
    optional,
    z
      .enum(["auto", "skip"], {
        error: "BAILEY_MIGRATE must be auto (migrate at start, the default) or skip (a replica: migrations are run once by `npm run db:migrate`). Example: BAILEY_MIGRATE=skip",
      })
      .default("auto"),
  ),
  BAILEY_SSH_PRIVATE_KEY_FILE: z.preprocess(optional, z.string().optional()),
  BAILEY_AUDIT_SIGNING_KEY_FILE: z.preprocess(optional, z.string().optional()),
  BAILEY_SECRETS_KEY_FILE: z.preprocess(optional, z.string().optional()),
  NEXTAUTH_SECRET: z.preprocess(optional, z.string().min(32, "NEXTAUTH_SECRET must be at least 32 characters. Example: NEXTAUTH_SECRET=$(openssl rand -hex 32)").optional()),
  NEXTAUTH_URL: z.preprocess(optional, z.url("NEXTAUTH_URL must be the dashboard's public URL. Example: NEXTAUTH_URL=https://bailey.example.com").optional()),
});

export type LauncherEnv = z.infer<typeof launcherEnvSchema> & { dataDir: string; publicUrl: string };

export class ConfigurationError extends Error {}

export function readLauncherEnv(source: NodeJS.ProcessEnv = process.env): LauncherEnv {
  const parsed = launcherEnvSchema.safeParse(source);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  - ${issue.message}`);
    throw new ConfigurationError(`Bailey cannot start: its configuration is invalid.\n${lines.join("\n")}`);
  }
  const env = parsed.data;
  return {
    ...env,
    dataDir: path.resolve(env.BAILEY_DATA_DIR),
    publicUrl: env.NEXTAUTH_URL ?? `http://localhost:${env.PORT}`,
  };
}

/** Variables passed through untouched to the Next.js server (sign-in providers). */
export function passThroughEnv(source: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const names = [
    ...["GITHUB_ID", "GITHUB_SECRET", "OIDC_ISSUER", "OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET", "OIDC_NAME", "BAILEY_SSH_PRIVATE_KEY_FILE", "BAILEY_CRON_SECRET"],
    // The blob store of runs' logs and results: the dashboard reads what the scheduler stores.
    ...["BAILEY_BLOB_DIR", "BAILEY_S3_ENDPOINT", "BAILEY_S3_BUCKET", "BAILEY_S3_REGION", "BAILEY_S3_ACCESS_KEY_ID", "BAILEY_S3_SECRET_ACCESS_KEY", "BAILEY_S3_FORCE_PATH_STYLE"],
  ];
  return Object.fromEntries(names.flatMap((name) => (source[name] ? [[name, source[name]]] : [])));
}

/** Where the user typed the command: `npm run` changes into the repository root and says the original in INIT_CWD. */
export const invocationDirectory = (): string => process.env.INIT_CWD ?? process.cwd();

/** BAILEY_DEBUG: print stack traces of start-up errors. */
export const debugRequested = (source: NodeJS.ProcessEnv = process.env): boolean => Boolean(source.BAILEY_DEBUG);

/** The environment `next start` inherits (PATH, locale, proxies) before Bailey's settings. */
export const inheritedEnvironment = (): NodeJS.ProcessEnv => process.env;

/** What web-server.ts (the dashboard's process) reads, all set by the launcher. */
export function webServerEnv(source: NodeJS.ProcessEnv = process.env) {
  const required = (name: string): string => {
    const value = source[name];
    if (!value) throw new ConfigurationError(`${name} is not set for the dashboard server (npm start passes it).`);
    return value;
  };
  return {
    databaseUrl: () => required("DATABASE_URL"),
    authSecret: () => required("NEXTAUTH_SECRET"),
    publicUrl: source.NEXTAUTH_URL || undefined,
    sshPrivateKeyFile: source.BAILEY_SSH_PRIVATE_KEY_FILE || undefined,
    auditSigningKeyFile: source.BAILEY_AUDIT_SIGNING_KEY_FILE || undefined,
    /** 0 (or unset): this replica serves HTTP only and never stands for scheduler leader. */
    tickIntervalMs: Number(source.BAILEY_TICK_INTERVAL_MS || 0),
  };
}
