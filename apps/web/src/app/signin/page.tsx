import { redirect } from "next/navigation";
import { Card } from "~/components/ui/card";
import { serverEnv } from "~/env";
import { currentUser } from "~/server/auth";
import { SignInForm } from "./sign-in-form";

export const dynamic = "force-dynamic";

const providerErrors: Record<string, string> = {
  NotInvited: "That account is not a member of any Bailey team. Ask a team admin for an invite.",
  CredentialsSignin: "Invalid email or password",
};

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ error?: string }> }) {
  if (await currentUser()) redirect("/runs");
  const env = serverEnv();
  const { error } = await searchParams;
  const providers = [
    ...(env.GITHUB_ID ? [{ id: "github", name: "GitHub" }] : []),
    ...(env.OIDC_ISSUER ? [{ id: "oidc", name: env.OIDC_NAME }] : []),
  ];
  return (
    <main className="flex min-h-screen items-center justify-center px-4">
      <Card className="w-full max-w-sm">
        <h1 className="text-xl font-semibold tracking-tight">Sign in to Bailey</h1>
        <p className="mt-1 text-sm text-zinc-500 dark:text-zinc-400">Run coding agents on your own machines.</p>
        <SignInForm providers={providers} initialError={error ? (providerErrors[error] ?? "Sign-in failed. Try again.") : undefined} />
      </Card>
    </main>
  );
}
