"use client";

import { useRouter } from "next/navigation";
import { startTransition } from "react";
import { Button } from "~/components/ui/button";

/**
 * A dashboard page that failed on the server. In production Next hides the server's message,
 * so this names the one cause a user can wait out — the database restarting — and offers to
 * load the page again; the server's log has the rest under the reference shown.
 */
export default function PageError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  const router = useRouter();
  const retry = () =>
    startTransition(() => {
      router.refresh();
      reset();
    });
  return (
    <main className="mx-auto max-w-xl px-4 py-16" role="alert">
      <h1 className="text-lg font-semibold">This page could not be loaded</h1>
      <p className="mt-2 text-sm text-zinc-600 dark:text-zinc-400">The server could not finish it. If Bailey&apos;s database is restarting, this clears by itself within seconds: try again.</p>
      {error.digest ? <p className="mt-2 text-xs text-zinc-500">Reference for the server log: {error.digest}</p> : null}
      <div className="mt-6 flex items-center gap-4">
        <Button onClick={retry}>Try again</Button>
        <a className="text-sm underline" href="/api/health">
          Server health
        </a>
      </div>
    </main>
  );
}
