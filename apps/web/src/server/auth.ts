import type { NextAuthOptions } from "next-auth";
import { getServerSession } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { authenticateCredentials, findUserIdByProviderAccount, linkProviderAccount } from "@bailey/core";
import { serverEnv } from "~/env";
import { db } from "./db";
import { oauthProviders, verifiedEmails } from "./oauth-providers";
import { tooManyAttemptsError } from "~/lib/too-many-attempts";
import { signInAddress, signInPolicy } from "./sign-in-throttle";

/** The `?error=` codes /signin explains; next-auth adds its own (CredentialsSignin, OAuthSignin, …). */
export const signInRefusals = { "not-invited": "NotInvited", "no-verified-email": "NoVerifiedEmail", "unverified-account": "UnverifiedAccount" } as const;

let options: NextAuthOptions | undefined;

/** Built on first use so that `next build` needs no configuration. */
export function authOptions(): NextAuthOptions {
  if (options) return options;
  const env = serverEnv();
  options = {
    secret: env.NEXTAUTH_SECRET,
    session: { strategy: "jwt", maxAge: 12 * 60 * 60 },
    pages: { signIn: "/signin", error: "/signin" },
    providers: [
      CredentialsProvider({
        name: "Email and password",
        credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
        authorize: async (credentials, request) => {
          if (!credentials?.email || !credentials.password) return null;
          const result = await authenticateCredentials({
            prisma: db(),
            email: credentials.email,
            password: credentials.password,
            address: signInAddress((request.headers ?? {}) as Record<string, string>),
            policy: signInPolicy(),
          });
          // next-auth turns the message into `?error=`; the route handler turns that into a 429.
          if (result.outcome === "throttled") throw new Error(tooManyAttemptsError(result.retryAfterSeconds));
          return result.outcome === "signed-in" ? { id: result.user.id, email: result.user.email, name: result.user.name } : null;
        },
      }),
      ...oauthProviders(env),
    ],
    callbacks: {
      signIn: async ({ account, profile }) => {
        if (!account || account.type === "credentials") return true;
        const outcome = await linkProviderAccount({
          prisma: db(),
          account: { provider: account.provider, providerAccountId: account.providerAccountId, type: account.type },
          verifiedEmails: verifiedEmails(account.provider, profile as Record<string, unknown> | undefined),
        });
        return outcome.admitted ? true : `/signin?error=${signInRefusals[outcome.reason]}`;
      },
      // The token's subject is always Bailey's user id, never the provider's account id.
      jwt: async ({ token, user, account }) => {
        if (!user || !account) return token;
        if (account.type === "credentials") return { ...token, sub: user.id };
        const userId = await findUserIdByProviderAccount({ prisma: db(), provider: account.provider, providerAccountId: account.providerAccountId });
        if (!userId) throw new Error(`The ${account.provider} account was admitted but is not linked to a Bailey user.`);
        return { ...token, sub: userId };
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
