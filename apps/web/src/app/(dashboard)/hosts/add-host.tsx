"use client";

import { useMutation, useQuery } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { CopyButton } from "~/components/copy-button";
import { Button } from "~/components/ui/button";
import { Field } from "~/components/ui/field";
import { Input } from "~/components/ui/input";
import { Textarea } from "~/components/ui/textarea";
import { errorMessage, fieldErrorsOf } from "~/lib/trpc-errors";
import { useTRPC } from "~/trpc/client";
import { HostStatusBadge } from "./host-status-badge";

/** Add host: name and labels → the one-line install command → wait until the host reports back. */
export function AddHost({ onDone }: { onDone: () => void }) {
  const trpc = useTRPC();
  const [name, setName] = useState("");
  const [labels, setLabels] = useState("");
  const [capacity, setCapacity] = useState("4");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const create = useMutation(trpc.hosts.createEnrollment.mutationOptions());
  const issued = create.data;
  const enrollments = useQuery(trpc.hosts.enrollments.queryOptions(undefined, { enabled: Boolean(issued), refetchInterval: 1500 }));
  const hosts = useQuery(trpc.hosts.list.queryOptions(undefined, { enabled: Boolean(issued), refetchInterval: 1500 }));
  const enrollment = enrollments.data?.enrollments.find((candidate) => candidate.id === issued?.enrollment.id);
  const host = hosts.data?.hosts.find((candidate) => candidate.id === enrollment?.hostId);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const parsedLabels: Record<string, string> = {};
    for (const line of labels.split("\n").filter((entry) => entry.trim())) {
      const at = line.indexOf("=");
      if (at <= 0) return setErrors({ labels: `"${line}" needs the form key=value.` });
      parsedLabels[line.slice(0, at).trim()] = line.slice(at + 1).trim();
    }
    setErrors({});
    try {
      await create.mutateAsync({ name: name.trim(), labels: parsedLabels, capacityRuns: Number(capacity) });
    } catch (error) {
      const fields = fieldErrorsOf(error);
      const mapped: Record<string, string> = {};
      for (const [path, message] of Object.entries(fields)) mapped[path.split(".")[0]!] ??= message;
      setErrors(Object.keys(mapped).length ? mapped : { form: errorMessage(error) });
    }
  }

  if (issued) {
    return (
      <div className="space-y-4 rounded-lg border border-zinc-200 p-5 dark:border-zinc-800" aria-live="polite">
        <h2 className="text-lg font-semibold">Install the agent on {issued.enrollment.name}</h2>
        <p className="text-sm text-zinc-600 dark:text-zinc-400">
          Run this on the new host as root (it needs Node.js ≥ 18, Docker and an SSH server). The command works once, until {issued.enrollment.expiresAt.toLocaleString()}.
        </p>
        <pre data-testid="install-command" className="overflow-x-auto whitespace-pre-wrap break-all rounded-md bg-zinc-950 p-3 font-mono text-xs text-zinc-100">
          {issued.installCommand}
        </pre>
        <div className="flex items-center gap-3">
          <CopyButton text={issued.installCommand} label="Copy command" />
          {host ? (
            <span className="flex items-center gap-2 text-sm" data-testid="enrolled-host">
              {host.name} reported back: <HostStatusBadge status={host.status} />
            </span>
          ) : (
            <span className="text-sm text-zinc-500">Waiting for the host to report back…</span>
          )}
          <Button variant="ghost" className="ml-auto" onClick={onDone}>
            {host ? "Done" : "Close"}
          </Button>
        </div>
      </div>
    );
  }

  return (
    <form onSubmit={submit} className="grid gap-4 rounded-lg border border-zinc-200 p-5 sm:grid-cols-3 dark:border-zinc-800" noValidate>
      <Field label="Host name" htmlFor="host-name" error={errors.name} hint="Letters, digits, . _ -">
        <Input id="host-name" value={name} onChange={(event) => setName(event.target.value)} />
      </Field>
      <Field label="Labels" htmlFor="host-labels" error={errors.labels} hint="key=value per line, for placement">
        <Textarea id="host-labels" rows={2} value={labels} onChange={(event) => setLabels(event.target.value)} />
      </Field>
      <Field label="Runs at once" htmlFor="host-capacity" error={errors.capacityRuns}>
        <Input id="host-capacity" inputMode="numeric" value={capacity} onChange={(event) => setCapacity(event.target.value)} />
      </Field>
      {errors.form ? (
        <p role="alert" className="text-sm text-red-600 sm:col-span-3 dark:text-red-400">
          {errors.form}
        </p>
      ) : null}
      <div className="flex gap-2 sm:col-span-3">
        <Button type="submit" disabled={create.isPending}>
          Get install command
        </Button>
        <Button type="button" variant="ghost" onClick={onDone}>
          Cancel
        </Button>
      </div>
    </form>
  );
}
