import Link from "next/link";
import { NavLinks } from "./nav-links";
import { SignOutButton } from "./sign-out-button";

export function Nav({ email, teamName }: { email: string; teamName: string }) {
  return (
    <header className="border-b border-zinc-200 dark:border-zinc-800">
      <div className="mx-auto flex h-14 max-w-6xl items-center gap-6 px-4">
        <Link href="/runs" className="font-semibold tracking-tight">
          Bailey
        </Link>
        <NavLinks />
        <div className="ml-auto flex items-center gap-3 text-sm">
          <span className="text-zinc-500 dark:text-zinc-400">
            {email} · {teamName}
          </span>
          <SignOutButton />
        </div>
      </div>
    </header>
  );
}
