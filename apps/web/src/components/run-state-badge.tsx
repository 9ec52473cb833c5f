import type { RunState } from "@bailey/db";

type Tone = "neutral" | "active" | "good" | "bad";

const tones: Record<RunState, Tone> = {
  queued: "neutral",
  scheduled: "neutral",
  provisioning: "active",
  running: "active",
  stopping: "active",
  succeeded: "good",
  failed: "bad",
  cancelled: "neutral",
  lost: "bad",
  timed_out: "bad",
};

const toneClasses: Record<Tone, string> = {
  neutral: "bg-zinc-100 text-zinc-700 dark:bg-zinc-800 dark:text-zinc-300",
  active: "bg-blue-50 text-blue-700 dark:bg-blue-950 dark:text-blue-300",
  good: "bg-emerald-50 text-emerald-700 dark:bg-emerald-950 dark:text-emerald-300",
  bad: "bg-red-50 text-red-700 dark:bg-red-950 dark:text-red-300",
};

export function RunStateBadge({ state }: { state: RunState }) {
  return <span className={`inline-flex rounded-full px-2 py-0.5 text-xs font-medium ${toneClasses[tones[state]]}`}>{state}</span>;
}
