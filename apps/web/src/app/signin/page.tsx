import { redirect } from "next/navigation";
import { Card } from "~/components/ui/card";
import { throttledSeconds, tooManyAttemptsMessage } from "~/lib/too-many-attempts";
import { serverEnv } from "~/env";
import { currentUser } from "~/server/auth";
import { oauthProviderButtons } from "~/server/oauth-providers";
import { SignInForm } from "./sign-in-form";

export const dynamic = "force-dynamic";

// next-auth and the signIn callback send people back here with `?error=<code>`.
const errorMessages: Record<string, string> = {
  CredentialsSignin: "Invalid email or password",
  NotInvited: "That account is not a member of any Bailey team. Ask a team admin for an invite.",
  NoVerifiedEmail: "Your sign-in provider did not confirm a verified email address, so Bailey cannot tell who you are. Verify an address there and try again.",
  UnverifiedAccount: "A Bailey account with this email exists, but its email address was never verified, so it cannot be linked to this sign-in provider. Sign in with your email and password.",
  OAuthAccountNotLinked: "That account is linked to a different Bailey user.",
  SessionRequired: "Sign in to continue.",
};

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ error?: string | string[] }> }) {
  if (await currentUser()) redirect("/runs");
  const { error } = await searchParams;
  const code = Array.isArray(error) ? error[0] : error;
  const retryAfter = throttledSeconds(code);
  return (
    <main className="flex min-h-screen items-center justify-center px-4">
      <Card className="w-full max-w-sm">
        <h1 className="text-xl font-semibold tracking-tight">Sign in to Bailey</h1>
        <p className="mt-1 text-sm text-zinc-500 dark:text-zinc-400">Run coding agents on your own machines.</p>
        <SignInForm
          providers={oauthProviderButtons(serverEnv())}
          initialError={retryAfter !== undefined ? tooManyAttemptsMessage(retryAfter) : code ? (errorMessages[code] ?? "Sign-in failed. Try again, or ask your Bailey admin.") : undefined}
        />
      </Card>
    </main>
  );
}
