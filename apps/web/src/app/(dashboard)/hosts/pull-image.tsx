"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Button } from "~/components/ui/button";
import { Field } from "~/components/ui/field";
import { Input } from "~/components/ui/input";
import { Select } from "~/components/ui/select";
import { errorMessage, fieldErrorsOf } from "~/lib/trpc-errors";
import { useTRPC } from "~/trpc/client";

/** Pull image: an image, and one host or every host with some labels; the scheduler carries it out. */
export function PullImage({ hosts, onDone }: { hosts: { id: string; name: string }[]; onDone: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [image, setImage] = useState("");
  const [target, setTarget] = useState(hosts[0]?.id ?? "labels");
  const [labels, setLabels] = useState("");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const pull = useMutation(trpc.hosts.pullImage.mutationOptions({ onSettled: () => queryClient.invalidateQueries({ queryKey: trpc.hosts.imagePulls.queryKey() }) }));

  async function submit(event: FormEvent) {
    event.preventDefault();
    const parsedLabels: Record<string, string> = {};
    if (target === "labels") {
      const entries = labels.split(/[\s,]+/).filter(Boolean);
      if (!entries.length) return setErrors({ labels: "Give at least one label, as key=value." });
      for (const entry of entries) {
        const at = entry.indexOf("=");
        if (at <= 0) return setErrors({ labels: `"${entry}" needs the form key=value.` });
        parsedLabels[entry.slice(0, at)] = entry.slice(at + 1);
      }
    }
    setErrors({});
    try {
      await pull.mutateAsync({ image: image.trim(), ...(target === "labels" ? { labels: parsedLabels } : { hostId: target }) });
      onDone();
    } catch (error) {
      const fields = fieldErrorsOf(error);
      const mapped: Record<string, string> = {};
      for (const [path, message] of Object.entries(fields)) mapped[path.split(".")[0]!] ??= message;
      setErrors(Object.keys(mapped).length ? mapped : { form: errorMessage(error) });
    }
  }

  return (
    <form onSubmit={submit} className="grid gap-4 rounded-lg border border-zinc-200 p-5 sm:grid-cols-3 dark:border-zinc-800" noValidate aria-label="Pull an image">
      <Field label="Image" htmlFor="pull-image" error={errors.image} hint="e.g. ghcr.io/org/app:1.2 or app@sha256:…">
        <Input id="pull-image" value={image} onChange={(event) => setImage(event.target.value)} />
      </Field>
      <Field label="On" htmlFor="pull-target" error={errors.hostId}>
        <Select id="pull-target" value={target} onChange={(event) => setTarget(event.target.value)} className="w-full">
          {hosts.map((host) => (
            <option key={host.id} value={host.id}>
              {host.name}
            </option>
          ))}
          <option value="labels">every host with labels…</option>
        </Select>
      </Field>
      {target === "labels" ? (
        <Field label="Labels" htmlFor="pull-labels" error={errors.labels} hint="key=value, separated by spaces">
          <Input id="pull-labels" value={labels} onChange={(event) => setLabels(event.target.value)} />
        </Field>
      ) : (
        <div />
      )}
      {errors.form ? (
        <p role="alert" className="text-sm text-red-600 sm:col-span-3 dark:text-red-400">
          {errors.form}
        </p>
      ) : null}
      <div className="flex gap-2 sm:col-span-3">
        <Button type="submit" disabled={pull.isPending}>
          Pull
        </Button>
        <Button type="button" variant="ghost" onClick={onDone}>
          Cancel
        </Button>
      </div>
    </form>
  );
}
