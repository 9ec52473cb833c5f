import Link from "next/link";
import { RoleGate } from "~/components/role-gate";
import { RunsList } from "./runs-list";

export default function RunsPage() {
  return (
    <div className="space-y-6">
      <div className="flex items-center justify-between">
        <h1 className="text-2xl font-semibold tracking-tight">Runs</h1>
        <RoleGate atLeast="member">
          <Link
            href="/runs/new"
            className="inline-flex h-9 items-center rounded-md bg-zinc-900 px-4 text-sm font-medium text-white hover:bg-zinc-700 dark:bg-zinc-100 dark:text-zinc-900 dark:hover:bg-zinc-300"
          >
            New run
          </Link>
        </RoleGate>
      </div>
      <RunsList />
    </div>
  );
}
