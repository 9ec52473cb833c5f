"use client";

import { useMutation, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { Button } from "~/components/ui/button";
import { Field } from "~/components/ui/field";
import { Input } from "~/components/ui/input";
import { Select } from "~/components/ui/select";
import { Textarea } from "~/components/ui/textarea";
import { errorMessage, fieldErrorsOf } from "~/lib/trpc-errors";
import { useTRPC } from "~/trpc/client";
import { ImageSourceFields } from "./image-source-fields";
import { emptyRunForm, formFieldOf, specFromForm, type RunFormValues } from "./spec-from-form";
import { WorkspaceFields } from "./workspace-fields";

type Mode = "form" | "yaml";

export function NewRunForm() {
  const trpc = useTRPC();
  const router = useRouter();
  const [mode, setMode] = useState<Mode>("form");
  const [values, setValues] = useState<RunFormValues>(emptyRunForm);
  const [yaml, setYaml] = useState("");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [ignored, setIgnored] = useState<{ runId: string; fields: { field: string; reason: string }[] } | null>(null);
  const createFromSpec = useMutation(trpc.runs.create.mutationOptions());
  const createFromYaml = useMutation(trpc.runs.createFromYaml.mutationOptions());
  const grants = useQuery(trpc.grants.list.queryOptions());
  const toggleGrant = (name: string, checked: boolean) => setValues({ ...values, grants: checked ? [...values.grants, name] : values.grants.filter((grant) => grant !== name) });

  const set = (key: Exclude<keyof RunFormValues, "grants" | "source">) => (event: { target: { value: string } }) => setValues({ ...values, [key]: event.target.value });

  async function submit(event: FormEvent) {
    event.preventDefault();
    setErrors({});
    let create: () => ReturnType<typeof createFromSpec.mutateAsync>;
    if (mode === "form") {
      const built = specFromForm(values);
      if (Object.keys(built.errors).length) return setErrors(built.errors);
      // The form builds what the schema checks; the server's answer names any field it refuses.
      create = () => createFromSpec.mutateAsync(built.spec as Parameters<typeof createFromSpec.mutateAsync>[0]);
    } else {
      if (!yaml.trim()) return setErrors({ yaml: "Paste a run spec or a moat.yaml." });
      create = () => createFromYaml.mutateAsync({ yaml });
    }
    try {
      const result = await create();
      if (result.ignored.length) setIgnored({ runId: result.run.id, fields: result.ignored });
      else router.push(`/runs/${result.run.id}`);
    } catch (error) {
      const fields = fieldErrorsOf(error);
      const mapped: Record<string, string> = {};
      for (const [path, message] of Object.entries(fields)) mapped[mode === "yaml" ? "yaml" : formFieldOf(path)] ??= message;
      setErrors(Object.keys(mapped).length ? mapped : { form: errorMessage(error) });
    }
  }

  if (ignored) {
    return (
      <div className="space-y-4 rounded-lg border border-amber-300 p-4 dark:border-amber-800" role="status">
        <p className="font-medium">The run was created; Bailey ignored these fields it does not support yet:</p>
        <ul className="list-disc pl-5 text-sm">
          {ignored.fields.map((field) => (
            <li key={field.field}>
              <code>{field.field}</code>: {field.reason}
            </li>
          ))}
        </ul>
        <Link href={`/runs/${ignored.runId}`} className="font-medium underline underline-offset-4">
          Open the run
        </Link>
      </div>
    );
  }

  return (
    <form onSubmit={submit} className="space-y-5" noValidate>
      <div role="tablist" aria-label="How to describe the run" className="inline-flex rounded-md border border-zinc-300 p-0.5 dark:border-zinc-700">
        {(["form", "yaml"] as const).map((option) => (
          <button
            key={option}
            type="button"
            role="tab"
            aria-selected={mode === option}
            onClick={() => setMode(option)}
            className={`rounded px-3 py-1 text-sm ${mode === option ? "bg-zinc-900 text-white dark:bg-zinc-100 dark:text-zinc-900" : ""}`}
          >
            {option === "form" ? "Form" : "Paste YAML"}
          </button>
        ))}
      </div>
      {mode === "yaml" ? (
        <Field
          label="Run spec (YAML or moat.yaml)"
          htmlFor="yaml"
          error={errors.yaml}
          hint="Bailey's fields (image or build, command, env, dependencies, sandbox, placement, resources, grants, network, workspace, user, artifacts, push) or a moat.yaml; unsupported moat fields are reported back. build: {dockerfileInline: …, target, args} builds the run's image on its host."
        >
          <Textarea id="yaml" rows={14} value={yaml} onChange={(event) => setYaml(event.target.value)} placeholder={"image: node:20\ncommand: npm test\ndependencies: [docker:dind]"} />
        </Field>
      ) : (
        <>
          <ImageSourceFields values={values} errors={errors} onChange={(change) => setValues({ ...values, ...change })} />
          <Field label="Command" htmlFor="command" error={errors.command} hint="Runs under /bin/sh -c; empty runs the image's own command.">
            <Input id="command" value={values.command} onChange={set("command")} className="font-mono" />
          </Field>
          <Field label="Name" htmlFor="name" error={errors.name}>
            <Input id="name" value={values.name} onChange={set("name")} />
          </Field>
          <Field label="Environment" htmlFor="env" error={errors.env} hint="One KEY=value per line. Not for secrets.">
            <Textarea id="env" rows={3} value={values.env} onChange={set("env")} />
          </Field>
          <div className="grid gap-5 sm:grid-cols-2">
            <Field
              label="Docker access"
              htmlFor="docker"
              error={errors.dependencies}
              hint="host: the host's engine socket. dind: a BuildKit sidecar (BUILDKIT_HOST) and a privileged container; no Docker engine unless the image brings one."
            >
              <Select id="docker" value={values.docker} onChange={set("docker")} className="w-full">
                <option value="">None</option>
                <option value="docker:host">docker:host (the host's engine)</option>
                <option value="docker:dind">docker:dind (own BuildKit, privileged)</option>
              </Select>
            </Field>
            <Field label="Sandbox" htmlFor="sandbox" error={errors.sandbox}>
              <Select id="sandbox" value={values.sandbox} onChange={set("sandbox")} className="w-full">
                <option value="gvisor">gVisor (default)</option>
                <option value="none">None (host kernel)</option>
              </Select>
            </Field>
          </div>
          <Field label="Placement labels" htmlFor="labels" error={errors.placement} hint="key=value per line; only hosts with all these labels take the run.">
            <Textarea id="labels" rows={2} value={values.labels} onChange={set("labels")} />
          </Field>
          <fieldset className="space-y-3" aria-describedby="egress-hint">
            <legend className="mb-2 text-sm font-medium">Network and grants</legend>
            <p id="egress-hint" className="text-xs text-zinc-500 dark:text-zinc-400">
              Grants and a strict policy send the run&apos;s traffic through the egress proxy, which adds each grant&apos;s secret for its hosts; the run never sees it.
            </p>
            <div className="space-y-1.5" data-field="grants">
              <p className="text-sm font-medium">Grants</p>
              {grants.data?.grants.length ? (
                <div className="flex flex-wrap gap-x-5 gap-y-1">
                  {grants.data.grants.map((grant) => (
                    <label key={grant.id} className="flex items-center gap-2 text-sm">
                      <input type="checkbox" checked={values.grants.includes(grant.name)} onChange={(event) => toggleGrant(grant.name, event.target.checked)} />
                      <span className="font-mono text-xs">{grant.name}</span>
                      <span className="text-xs text-zinc-500">({grant.hosts.join(", ")})</span>
                    </label>
                  ))}
                </div>
              ) : (
                <p className="text-xs text-zinc-500 dark:text-zinc-400">{grants.isPending ? "Loading grants…" : "The team has no grants; an admin adds them on the Grants page."}</p>
              )}
              {errors.grants ? (
                <p role="alert" className="text-sm text-red-600 dark:text-red-400">
                  {errors.grants}
                </p>
              ) : null}
            </div>
            <div className="grid gap-5 sm:grid-cols-2">
              <Field label="Egress policy" htmlFor="networkPolicy" error={errors.networkPolicy ?? errors.network} hint="Strict: only granted and allowed hosts are reachable.">
                <Select id="networkPolicy" value={values.networkPolicy} onChange={set("networkPolicy")} className="w-full">
                  <option value="">Team default</option>
                  <option value="open">Open (any host)</option>
                  <option value="strict">Strict (granted and allowed hosts only)</option>
                </Select>
              </Field>
              <Field label="Allowed hosts" htmlFor="allow" error={errors.allow} hint="One per line, e.g. registry.npmjs.org or *.pypi.org; tunnelled without credentials.">
                <Textarea id="allow" rows={2} value={values.allow} onChange={set("allow")} spellCheck={false} />
              </Field>
            </div>
          </fieldset>
          <WorkspaceFields values={values} errors={errors} onChange={(change) => setValues({ ...values, ...change })} />
          <fieldset className="grid gap-5 sm:grid-cols-4">
            <legend className="mb-2 text-sm font-medium">Resources</legend>
            <Field label="CPUs" htmlFor="cpus" error={errors["resources.cpus"]}>
              <Input id="cpus" inputMode="decimal" value={values.cpus} onChange={set("cpus")} />
            </Field>
            <Field label="Memory" htmlFor="memory" error={errors["resources.memory"]} hint="e.g. 2g">
              <Input id="memory" value={values.memory} onChange={set("memory")} />
            </Field>
            <Field label="Processes" htmlFor="pids" error={errors["resources.pids"]}>
              <Input id="pids" inputMode="numeric" value={values.pids} onChange={set("pids")} />
            </Field>
            <Field label="Timeout (s)" htmlFor="timeoutSeconds" error={errors["resources.timeoutSeconds"]}>
              <Input id="timeoutSeconds" inputMode="numeric" value={values.timeoutSeconds} onChange={set("timeoutSeconds")} />
            </Field>
          </fieldset>
        </>
      )}
      {errors.form || errors.spec ? (
        <p role="alert" className="text-sm text-red-600 dark:text-red-400">
          {errors.form ?? errors.spec}
        </p>
      ) : null}
      <Button type="submit" disabled={createFromSpec.isPending || createFromYaml.isPending}>
        {createFromSpec.isPending || createFromYaml.isPending ? "Starting…" : "Start run"}
      </Button>
    </form>
  );
}
