import { z } from "zod";
import { parseDatabaseUrl } from "@bailey/db";
import { parseTrustedProxies } from "./server/client-address";

// The dashboard server's settings: the only module of the Next app that reads process.env.
// Validated on first use, not at import, so `next build` needs none of them.
const optional = (value: unknown) => (value === "" ? undefined : value);

const wholeNumber = (name: string, fallback: number, max: number) => {
  const message = `${name} must be a whole number from 1 to ${max}. Example: ${name}=${fallback}`;
  return z.preprocess(optional, z.coerce.number({ error: message }).int({ error: message }).min(1, { error: message }).max(max, { error: message }).default(fallback));
};

const serverEnvSchema = z
  .object({
    DATABASE_URL: z.string({ error: "DATABASE_URL is not set. Example: DATABASE_URL=postgresql://bailey:secret@localhost:5432/bailey" }).superRefine((value, ctx) => {
      try {
        parseDatabaseUrl(value);
      } catch (error) {
        ctx.addIssue({ code: "custom", message: (error as Error).message });
      }
    }),
    NEXTAUTH_SECRET: z
      .string({ error: "NEXTAUTH_SECRET is not set. Example: NEXTAUTH_SECRET=$(openssl rand -hex 32)" })
      .min(32, "NEXTAUTH_SECRET must be at least 32 characters. Example: NEXTAUTH_SECRET=$(openssl rand -hex 32)"),
    NEXTAUTH_URL: z.preprocess(optional, z.url("NEXTAUTH_URL must be a URL. Example: NEXTAUTH_URL=http://localhost:3000").default("http://localhost:3000")),
    GITHUB_ID: z.preprocess(optional, z.string().optional()),
    GITHUB_SECRET: z.preprocess(optional, z.string().optional()),
    OIDC_ISSUER: z.preprocess(optional, z.url("OIDC_ISSUER must be the provider's issuer URL. Example: OIDC_ISSUER=https://auth.example.com/realms/main").optional()),
    OIDC_CLIENT_ID: z.preprocess(optional, z.string().optional()),
    OIDC_CLIENT_SECRET: z.preprocess(optional, z.string().optional()),
    OIDC_NAME: z.preprocess(optional, z.string().default("Single sign-on")),
    BAILEY_SSH_PRIVATE_KEY_FILE: z.preprocess(optional, z.string().optional()),
    // The ed25519 key signing audit checkpoints (npm start passes the one in its data directory).
    BAILEY_AUDIT_SIGNING_KEY_FILE: z.preprocess(optional, z.string().optional()),
    // Test and packaging overrides of where the agent bundle and install.sh are read from.
    BAILEY_AGENT_BUNDLE: z.preprocess(optional, z.string().optional()),
    BAILEY_INSTALL_SCRIPT: z.preprocess(optional, z.string().optional()),
    BAILEY_CRON_SECRET: z.preprocess(optional, z.string().min(32, "BAILEY_CRON_SECRET must be at least 32 characters. Example: BAILEY_CRON_SECRET=$(openssl rand -hex 32)").optional()),
    BAILEY_TRUSTED_PROXIES: z.preprocess(optional, z.string().optional()),
    // Sign-in throttle tuning (see the README); tests shorten the block.
    BAILEY_SIGNIN_MAX_ACCOUNT_FAILURES: wholeNumber("BAILEY_SIGNIN_MAX_ACCOUNT_FAILURES", 10, 1_000),
    BAILEY_SIGNIN_MAX_ADDRESS_FAILURES: wholeNumber("BAILEY_SIGNIN_MAX_ADDRESS_FAILURES", 100, 100_000),
    BAILEY_SIGNIN_BLOCK_SECONDS: wholeNumber("BAILEY_SIGNIN_BLOCK_SECONDS", 30, 3_600),
  })
  .superRefine((env, ctx) => {
    if (Boolean(env.GITHUB_ID) !== Boolean(env.GITHUB_SECRET)) {
      ctx.addIssue({
        code: "custom",
        message: "Set both GITHUB_ID and GITHUB_SECRET to enable GitHub sign-in, or neither. Example: GITHUB_ID=Iv1.0123abcd GITHUB_SECRET=0123456789abcdef0123456789abcdef01234567",
      });
    }
    try {
      parseTrustedProxies(env.BAILEY_TRUSTED_PROXIES);
    } catch (error) {
      ctx.addIssue({ code: "custom", message: (error as Error).message });
    }
    const oidc = [env.OIDC_ISSUER, env.OIDC_CLIENT_ID, env.OIDC_CLIENT_SECRET].filter(Boolean).length;
    if (oidc !== 0 && oidc !== 3) {
      ctx.addIssue({
        code: "custom",
        message:
          "Set all of OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET to enable single sign-on, or none. Example: OIDC_ISSUER=https://auth.example.com/realms/main OIDC_CLIENT_ID=bailey OIDC_CLIENT_SECRET=...",
      });
    }
  });

export type ServerEnv = z.infer<typeof serverEnvSchema>;

let cached: ServerEnv | undefined;

/** Validates the given settings; every problem is listed, each naming its variable and an example. */
export function parseServerEnv(source: Record<string, string | undefined>): ServerEnv {
  const parsed = serverEnvSchema.safeParse(source);
  if (!parsed.success) {
    throw new Error(`Bailey's dashboard is misconfigured:\n${parsed.error.issues.map((issue) => `  - ${issue.message}`).join("\n")}`);
  }
  return parsed.data;
}

export function serverEnv(): ServerEnv {
  cached ??= parseServerEnv(process.env);
  return cached;
}
