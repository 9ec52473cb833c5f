import type { ReactNode } from "react";
import { cn } from "~/lib/utils";

/** A labelled form control with its hint and, when the server refused it, its error beside it. */
export function Field({ label, htmlFor, hint, error, className, children }: { label: string; htmlFor: string; hint?: ReactNode; error?: string | undefined; className?: string; children: ReactNode }) {
  const describedBy = error ? `${htmlFor}-error` : hint ? `${htmlFor}-hint` : undefined;
  return (
    <div className={cn("space-y-1.5", className)} data-field={htmlFor}>
      <label htmlFor={htmlFor} className="block text-sm font-medium">
        {label}
      </label>
      <div aria-describedby={describedBy}>{children}</div>
      {error ? (
        <p id={`${htmlFor}-error`} role="alert" className="text-sm text-red-600 dark:text-red-400">
          {error}
        </p>
      ) : hint ? (
        <p id={`${htmlFor}-hint`} className="text-xs text-zinc-500 dark:text-zinc-400">
          {hint}
        </p>
      ) : null}
    </div>
  );
}
