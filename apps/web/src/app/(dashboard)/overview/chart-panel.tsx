import type { ReactNode } from "react";
import { Card } from "~/components/ui/card";

/**
 * One chart with its title and a sentence saying what it shows, for those who cannot see it
 * (the sentence is also the chart's accessible name). Without data it says why instead of
 * drawing empty axes.
 */
export function ChartPanel({ id, title, summary, empty, children }: { id: string; title: string; summary: string; empty?: ReactNode; children: ReactNode }) {
  return (
    <Card className="p-4" data-testid={`chart-${id}`}>
      <section aria-labelledby={`${id}-title`}>
        <h2 id={`${id}-title`} className="text-sm font-medium">
          {title}
        </h2>
        <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400" data-testid="chart-summary">
          {summary}
        </p>
        {empty ? (
          <div className="mt-3 flex h-56 items-center justify-center rounded-md border border-dashed border-zinc-300 px-6 text-center text-sm text-zinc-500 dark:border-zinc-700 dark:text-zinc-400">
            {empty}
          </div>
        ) : (
          <div role="img" aria-label={summary} className="mt-3 h-56 text-zinc-500 dark:text-zinc-400">
            {children}
          </div>
        )}
      </section>
    </Card>
  );
}
