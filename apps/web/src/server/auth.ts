import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import GitHubProvider from "next-auth/providers/github";
import { getServerSession } from "next-auth";
import { authenticateCredentials } from "@bailey/core";
import { serverEnv } from "~/env";
import { db } from "./db";
import { linkProviderAccount } from "./link-provider-account";

let options: NextAuthOptions | undefined;

/** Built on first use so that `next build` needs no configuration. */
export function authOptions(): NextAuthOptions {
  if (options) return options;
  const env = serverEnv();
  const providers: NextAuthOptions["providers"] = [
    CredentialsProvider({
      name: "Email and password",
      credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
      authorize: async (credentials) => {
        if (!credentials?.email || !credentials.password) return null;
        const user = await authenticateCredentials({ prisma: db(), email: credentials.email, password: credentials.password });
        return user ? { id: user.id, email: user.email, name: user.name } : null;
      },
    }),
  ];
  if (env.GITHUB_ID && env.GITHUB_SECRET) {
    providers.push(GitHubProvider({ clientId: env.GITHUB_ID, clientSecret: env.GITHUB_SECRET }));
  }
  if (env.OIDC_ISSUER && env.OIDC_CLIENT_ID && env.OIDC_CLIENT_SECRET) {
    providers.push({
      id: "oidc",
      name: env.OIDC_NAME,
      type: "oauth",
      wellKnown: `${env.OIDC_ISSUER.replace(/\/$/, "")}/.well-known/openid-configuration`,
      clientId: env.OIDC_CLIENT_ID,
      clientSecret: env.OIDC_CLIENT_SECRET,
      idToken: true,
      checks: ["pkce", "state"],
      authorization: { params: { scope: "openid email profile" } },
      profile: (profile: { sub: string; email?: string; name?: string }) => ({ id: profile.sub, email: profile.email, name: profile.name }),
    });
  }
  options = {
    secret: env.NEXTAUTH_SECRET,
    session: { strategy: "jwt", maxAge: 12 * 60 * 60 },
    pages: { signIn: "/signin", error: "/signin" },
    providers,
    callbacks: {
      signIn: async ({ user, account }) => {
        if (!account || account.type === "credentials") return true;
        const linked = await linkProviderAccount({ prisma: db(), email: user.email, account });
        return linked ? true : "/signin?error=NotInvited";
      },
      jwt: async ({ token, user, account }) => {
        if (user && account) {
          const stored = await db().user.findUnique({ where: { email: (user.email ?? "").toLowerCase() }, select: { id: true } });
          token.sub = stored?.id ?? user.id;
        }
        return token;
      },
      session: async ({ session, token }) => {
        if (session.user && token.sub) (session.user as { id?: string }).id = token.sub;
        return session;
      },
    },
  };
  return options;
}

export interface SignedInUser {
  id: string;
  email: string;
}

export async function currentUser(): Promise<SignedInUser | null> {
  const session = await getServerSession(authOptions());
  const user = session?.user as { id?: string; email?: string | null } | undefined;
  return user?.id && user.email ? { id: user.id, email: user.email } : null;
}
