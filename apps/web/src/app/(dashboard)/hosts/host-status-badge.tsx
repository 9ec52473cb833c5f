const tones: Record<string, string> = {
  online: "bg-emerald-50 text-emerald-700 dark:bg-emerald-950 dark:text-emerald-300",
  draining: "bg-amber-50 text-amber-700 dark:bg-amber-950 dark:text-amber-300",
  offline: "bg-zinc-100 text-zinc-700 dark:bg-zinc-800 dark:text-zinc-300",
  pending: "bg-zinc-100 text-zinc-700 dark:bg-zinc-800 dark:text-zinc-300",
  key_mismatch: "bg-red-50 text-red-700 dark:bg-red-950 dark:text-red-300",
};

export function HostStatusBadge({ status }: { status: string }) {
  return <span className={`inline-flex rounded-full px-2 py-0.5 text-xs font-medium ${tones[status] ?? tones.pending}`}>{status === "key_mismatch" ? "key mismatch" : status}</span>;
}
