import Link from "next/link";
import { SignOutButton } from "./sign-out-button";

const links = [
  { href: "/runs", label: "Runs" },
  { href: "/hosts", label: "Hosts" },
  { href: "/tokens", label: "Tokens" },
  { href: "/audit", label: "Audit" },
  { href: "/team", label: "Team" },
] as const;

export function Nav({ email, teamName }: { email: string; teamName: string }) {
  return (
    <header className="border-b border-zinc-200 dark:border-zinc-800">
      <div className="mx-auto flex h-14 max-w-6xl items-center gap-6 px-4">
        <Link href="/runs" className="font-semibold tracking-tight">
          Bailey
        </Link>
        <nav aria-label="Main" className="flex gap-1 text-sm">
          {links.map((link) => (
            <Link key={link.href} href={link.href} className="rounded-md px-3 py-1.5 hover:bg-zinc-100 dark:hover:bg-zinc-800">
              {link.label}
            </Link>
          ))}
        </nav>
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
