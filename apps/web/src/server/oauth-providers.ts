import type { Provider } from "next-auth/providers/index";
import GitHubProvider from "next-auth/providers/github";
import type { ServerEnv } from "~/env";

interface GitHubEmail {
  email: string;
  primary: boolean;
  verified: boolean;
}

// Where signIn finds the addresses the provider vouches for.
const verifiedEmailsKey = "bailey_verified_emails";

/**
 * GitHub, configured to report only the addresses GitHub has verified: next-auth's default
 * falls back to any address on the account, and Bailey links sign-ins to users by email.
 */
function gitHubProvider(clientId: string, clientSecret: string): Provider {
  return GitHubProvider({
    clientId,
    clientSecret,
    userinfo: {
      url: "https://api.github.com/user",
      async request({ client, tokens }) {
        const accessToken = tokens.access_token ?? "";
        const profile: Record<string, unknown> = await client.userinfo(accessToken);
        const response = await fetch("https://api.github.com/user/emails", {
          headers: { Authorization: `Bearer ${accessToken}`, Accept: "application/vnd.github+json", "User-Agent": "Bailey" },
        });
        const emails = response.ok ? ((await response.json()) as GitHubEmail[]) : [];
        const verified = emails.filter((entry) => entry.verified).sort((a, b) => Number(b.primary) - Number(a.primary));
        profile[verifiedEmailsKey] = verified.map((entry) => entry.email);
        profile.email = verified[0]?.email ?? null;
        return profile;
      },
    },
  });
}

interface OidcProfile {
  sub: string;
  email?: string;
  email_verified?: boolean;
  name?: string;
  picture?: string;
}

function oidcProvider(issuer: string, clientId: string, clientSecret: string, name: string): Provider {
  return {
    id: "oidc",
    name,
    type: "oauth",
    wellKnown: `${issuer.replace(/\/$/, "")}/.well-known/openid-configuration`,
    clientId,
    clientSecret,
    idToken: true,
    checks: ["pkce", "state"],
    authorization: { params: { scope: "openid email profile" } },
    profile: (profile: OidcProfile) => ({ id: profile.sub, email: profile.email ?? null, name: profile.name ?? null, image: profile.picture ?? null }),
  };
}

export function oauthProviders(env: ServerEnv): Provider[] {
  const providers: Provider[] = [];
  if (env.GITHUB_ID && env.GITHUB_SECRET) providers.push(gitHubProvider(env.GITHUB_ID, env.GITHUB_SECRET));
  if (env.OIDC_ISSUER && env.OIDC_CLIENT_ID && env.OIDC_CLIENT_SECRET) {
    providers.push(oidcProvider(env.OIDC_ISSUER, env.OIDC_CLIENT_ID, env.OIDC_CLIENT_SECRET, env.OIDC_NAME));
  }
  return providers;
}

/** The sign-in buttons to show: only providers the environment switched on. */
export function oauthProviderButtons(env: ServerEnv): { id: string; name: string }[] {
  return [
    ...(env.GITHUB_ID && env.GITHUB_SECRET ? [{ id: "github", name: "GitHub" }] : []),
    ...(env.OIDC_ISSUER && env.OIDC_CLIENT_ID && env.OIDC_CLIENT_SECRET ? [{ id: "oidc", name: env.OIDC_NAME }] : []),
  ];
}

/**
 * The addresses a provider vouches for. An OIDC issuer that omits `email_verified` is
 * trusted (the operator chose it, and some, like Entra ID, never send the claim); one
 * that says `false` is not.
 */
export function verifiedEmails(provider: string, profile: Record<string, unknown> | undefined): string[] {
  if (!profile) return [];
  if (provider === "github") {
    const emails = profile[verifiedEmailsKey];
    return Array.isArray(emails) ? emails.filter((email): email is string => typeof email === "string") : [];
  }
  const email = profile.email;
  return typeof email === "string" && profile.email_verified !== false ? [email] : [];
}
