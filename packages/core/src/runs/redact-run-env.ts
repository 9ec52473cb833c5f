import type { Role } from "@bailey/db";
import { hasRole } from "../authz";

/** What a hidden value reads as. */
export const redactedValue = "[redacted]";

// Whole parts of a name (split at _ - .): AUTH matches GH_AUTH but not GIT_AUTHOR_NAME.
const credentialParts = new Set([
  "TOKEN",
  "TOKENS",
  "SECRET",
  "SECRETS",
  "PASSWORD",
  "PASSWD",
  "PASS",
  "PASSPHRASE",
  "AUTH",
  "AUTHORIZATION",
  "CREDENTIAL",
  "CREDENTIALS",
  "APIKEY",
  "PRIVATEKEY",
  "COOKIE",
]);
// Anywhere in the name: GITHUBTOKEN, AWS_SECRET_ACCESS_KEY, MY_API_KEY, SSH_PRIVATE_KEY, DB_CREDENTIALS_JSON.
const credentialInfixes = ["TOKEN", "SECRET", "PASSWORD", "PASSWD", "API_KEY", "APIKEY", "PRIVATE_KEY", "PRIVATEKEY", "ACCESS_KEY", "CREDENTIAL"];

/** Whether an environment variable's name says it holds a credential (TOKEN, SECRET, PASSWORD, API_KEY, PRIVATE_KEY, AUTH…). */
export function looksLikeCredential(name: string): boolean {
  const upper = name.toUpperCase();
  return upper.split(/[_\-.]/).some((part) => credentialParts.has(part)) || credentialInfixes.some((infix) => upper.includes(infix));
}

/**
 * Whether a caller may read a run's plain `env` values in full: members and above, and of API
 * tokens only those that can start runs (runs:write). A viewer, or a read-only token handed to
 * a dashboard or a CI log, sees credential-looking values as {@link redactedValue}.
 */
export function seesCredentialEnv(role: Role, tokenScopes?: readonly string[]): boolean {
  return hasRole(role, "member") && (tokenScopes === undefined || tokenScopes.includes("runs:write"));
}

/** The stored spec with the values of credential-looking `env` names hidden; the names which were, sorted. */
export function redactRunEnv(spec: unknown): { spec: unknown; redacted: string[] } {
  if (!spec || typeof spec !== "object" || Array.isArray(spec)) return { spec, redacted: [] };
  const env = (spec as { env?: unknown }).env;
  if (!env || typeof env !== "object" || Array.isArray(env)) return { spec, redacted: [] };
  const redacted = Object.keys(env).filter(looksLikeCredential).sort();
  if (!redacted.length) return { spec, redacted };
  const hidden = Object.fromEntries(Object.entries(env).map(([name, value]) => [name, redacted.includes(name) ? redactedValue : value]));
  return { spec: { ...spec, env: hidden }, redacted };
}
