export const tokenScopes = [
  "runs:read",
  "runs:write",
  "runs:exec",
  "hosts:read",
  "hosts:write",
  "audit:read",
  "team:write",
  "registries:read",
  "registries:write",
  "secrets:read",
  "secrets:write",
  "webhooks:read",
  "webhooks:write",
] as const;
export type TokenScope = (typeof tokenScopes)[number];

export function isTokenScope(value: string): value is TokenScope {
  return (tokenScopes as readonly string[]).includes(value);
}
