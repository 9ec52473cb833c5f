"use client";

import { type FormEvent, useEffect, useState } from "react";
import { Button } from "~/components/ui/button";
import { Field } from "~/components/ui/field";
import { Input } from "~/components/ui/input";
import { formatBytes } from "~/lib/format-bytes";

/** The bounds the server accepts for a team's retention, in days. */
export const minRetentionDays = 1;
export const maxRetentionDays = 3650;

/**
 * How long the team's runs keep their stored logs and results, and how much they hold now.
 * Owners and admins change it; everyone else reads it.
 */
export function RetentionForm({
  retentionDays,
  storageBytes,
  canEdit,
  saving,
  saved,
  error,
  onSave,
}: {
  retentionDays: number;
  storageBytes: number;
  canEdit: boolean;
  saving: boolean;
  saved: boolean;
  error: string;
  onSave: (days: number) => void;
}) {
  const [daysText, setDaysText] = useState(String(retentionDays));
  const [formError, setFormError] = useState("");
  useEffect(() => setDaysText(String(retentionDays)), [retentionDays]);

  function submit(event: FormEvent) {
    event.preventDefault();
    setFormError("");
    const days = Number(daysText);
    if (!Number.isInteger(days) || days < minRetentionDays || days > maxRetentionDays) {
      return setFormError(`Retention is a whole number of days from ${minRetentionDays} to ${maxRetentionDays}; 30 keeps a month.`);
    }
    onSave(days);
  }

  const problem = formError || error;
  return (
    <section className="space-y-3" aria-labelledby="retention-heading">
      <h2 id="retention-heading" className="text-lg font-semibold">
        Logs and results
      </h2>
      <p className="text-sm text-zinc-600 dark:text-zinc-400" data-testid="team-storage">
        The team&apos;s runs hold <span className="font-medium tabular-nums">{formatBytes(storageBytes)}</span> of stored logs, diffs, bundles and artifacts.
      </p>
      {canEdit ? (
        <form onSubmit={submit} className="max-w-md space-y-3" aria-label="Retention">
          <Field label="Retention (days)" htmlFor="blobRetentionDays" error={problem || undefined} hint="A run's stored logs and results are removed this many days after it ends; its record stays.">
            <Input id="blobRetentionDays" inputMode="numeric" value={daysText} onChange={(event) => setDaysText(event.target.value)} />
          </Field>
          {saved && !problem ? (
            <p role="status" className="text-sm text-emerald-700 dark:text-emerald-400">
              Retention saved.
            </p>
          ) : null}
          <Button type="submit" disabled={saving}>
            Save retention
          </Button>
        </form>
      ) : (
        <p className="text-sm" data-testid="team-retention">
          A run&apos;s stored logs and results are kept for <span className="font-medium">{retentionDays} days</span> after it ends; owners and admins change this.
        </p>
      )}
    </section>
  );
}
