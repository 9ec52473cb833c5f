import type { ReactNode } from "react";

export function EmptyState({ title, children }: { title: string; children: ReactNode }) {
  return (
    <div className="rounded-lg border border-dashed border-zinc-300 p-10 text-center dark:border-zinc-700">
      <p className="text-base font-medium">{title}</p>
      <div className="mt-2 text-sm text-zinc-500 dark:text-zinc-400">{children}</div>
    </div>
  );
}
