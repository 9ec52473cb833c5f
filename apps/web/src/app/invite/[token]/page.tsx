import { AppError, previewInvite } from "@bailey/core";
import { Card } from "~/components/ui/card";
import { TrpcReactProvider } from "~/trpc/provider";
import { currentUser } from "~/server/auth";
import { db } from "~/server/db";
import { AcceptInvite } from "./accept-invite";

export const dynamic = "force-dynamic";

export default async function InvitePage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const user = await currentUser();
  let preview: Awaited<ReturnType<typeof previewInvite>> | null = null;
  let problem = "";
  try {
    preview = await previewInvite({ prisma: db(), token });
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    problem = error.message;
  }
  return (
    <main className="flex min-h-screen items-center justify-center px-4">
      <Card className="w-full max-w-sm">
        {preview ? (
          <>
            <h1 className="text-xl font-semibold tracking-tight">Join {preview.teamName} on Bailey</h1>
            <p className="mt-1 text-sm text-zinc-500 dark:text-zinc-400">You are invited as {preview.role}.</p>
            <TrpcReactProvider>
              <AcceptInvite token={token} signedInAs={user?.email ?? null} />
            </TrpcReactProvider>
          </>
        ) : (
          <>
            <h1 className="text-xl font-semibold tracking-tight">This invite cannot be used</h1>
            <p role="alert" className="mt-2 text-sm text-red-600 dark:text-red-400">
              {problem}
            </p>
          </>
        )}
      </Card>
    </main>
  );
}
