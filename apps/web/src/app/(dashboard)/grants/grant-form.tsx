"use client";

import { useMutation, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { type FormEvent, useState } from "react";
import { Button } from "~/components/ui/button";
import { Field } from "~/components/ui/field";
import { Input } from "~/components/ui/input";
import { Select } from "~/components/ui/select";
import { Textarea } from "~/components/ui/textarea";
import type { Injection } from "~/lib/describe-injection";
import { errorMessage, fieldErrorsOf } from "~/lib/trpc-errors";
import { useTRPC } from "~/trpc/client";

const nameRule = "A letter or digit first, then letters, digits, _, - or . (up to 64), e.g. github";

type InjectKind = Injection["kind"];

/** The field the chosen injection needs, with its label and an example. */
const injectionField: Record<InjectKind, { label: string; hint: string } | null> = {
  bearer: null,
  header: { label: "Header name", hint: "The header that carries the value, e.g. X-Api-Key" },
  basic: { label: "User name", hint: "The value is the password, e.g. x-access-token for GitHub" },
  query: { label: "Query parameter", hint: "Every occurrence is replaced, e.g. api_key" },
};

export interface EditableGrant {
  id: string;
  name: string;
  secretName: string;
  hosts: string[];
  inject: Injection;
  description: string | null;
}

function injectionOf(kind: InjectKind, text: string): Injection {
  if (kind === "header") return { kind, header: text.trim() };
  if (kind === "basic") return { kind, username: text.trim() };
  if (kind === "query") return { kind, param: text.trim() };
  return { kind };
}

function fieldTextOf(inject: Injection | undefined): string {
  if (!inject) return "";
  if (inject.kind === "header") return inject.header;
  if (inject.kind === "basic") return inject.username;
  if (inject.kind === "query") return inject.param;
  return "";
}

const formFields = ["name", "secretName", "hosts", "inject", "description"];

/** Where a server-side field error belongs ("hosts.2" → hosts, "inject.header" → inject). */
function formFieldOf(path: string): string {
  return path.split(".")[0] ?? "form";
}

/**
 * Create a grant, or (given `existing`) change what it injects and where. The secret is picked by
 * name; its value never reaches the browser.
 */
export function GrantForm({ existing, onSaved }: { existing?: EditableGrant; onSaved: (message: string) => void }) {
  const trpc = useTRPC();
  const secrets = useQuery(trpc.secrets.list.queryOptions());
  const [name, setName] = useState(existing?.name ?? "");
  const [secretName, setSecretName] = useState(existing?.secretName ?? "");
  const [hosts, setHosts] = useState(existing?.hosts.join("\n") ?? "");
  const [kind, setKind] = useState<InjectKind>(existing?.inject.kind ?? "bearer");
  const [kindText, setKindText] = useState(fieldTextOf(existing?.inject));
  const [description, setDescription] = useState(existing?.description ?? "");
  const [error, setError] = useState("");
  const [fields, setFields] = useState<Record<string, string>>({});
  const create = useMutation(trpc.grants.create.mutationOptions());
  const update = useMutation(trpc.grants.update.mutationOptions());
  const idPrefix = existing ? `grant-${existing.name}` : "grant-new";
  const needs = injectionField[kind];

  async function submit(event: FormEvent) {
    event.preventDefault();
    setError("");
    setFields({});
    const hostList = hosts
      .split("\n")
      .map((line) => line.trim())
      .filter(Boolean);
    const problems: Record<string, string> = {};
    if (!existing && !name.trim()) problems.name = nameRule;
    if (!secretName) problems.secretName = "Pick the secret whose value the proxy adds";
    if (!hostList.length) problems.hosts = "Give at least one host, e.g. api.github.com or *.example.com";
    if (needs && !kindText.trim()) problems.inject = needs.hint;
    if (Object.keys(problems).length) return setFields(problems);
    const inject = injectionOf(kind, kindText);
    try {
      if (existing) {
        const trimmed = description.trim();
        await update.mutateAsync({ id: existing.id, secretName, hosts: hostList, inject, description: trimmed || null });
        onSaved(`Updated ${existing.name}.`);
      } else {
        const { grant } = await create.mutateAsync({ name: name.trim(), secretName, hosts: hostList, inject, ...(description.trim() ? { description: description.trim() } : {}) });
        setName("");
        setHosts("");
        setKindText("");
        setDescription("");
        onSaved(`Saved ${grant.name}.`);
      }
    } catch (caught) {
      const mapped: Record<string, string> = {};
      for (const [path, message] of Object.entries(fieldErrorsOf(caught))) mapped[formFieldOf(path)] ??= message;
      setFields(mapped);
      setError(errorMessage(caught));
    }
  }

  const noSecrets = secrets.data?.secrets.length === 0;
  return (
    <form onSubmit={submit} className="space-y-4 rounded-lg border border-zinc-200 p-5 dark:border-zinc-800" noValidate aria-label={existing ? `Update ${existing.name}` : "Add a grant"}>
      <div className="grid gap-4 sm:grid-cols-2">
        <Field label="Name" htmlFor={`${idPrefix}-name`} hint={existing ? "Names cannot change; delete and add again to rename" : `${nameRule}. Runs name it in grants: [name]`} error={fields.name}>
          <Input id={`${idPrefix}-name`} value={name} readOnly={Boolean(existing)} onChange={(event) => setName(event.target.value)} autoComplete="off" spellCheck={false} />
        </Field>
        <Field
          label="Secret"
          htmlFor={`${idPrefix}-secret`}
          hint={
            noSecrets ? (
              <>
                No secrets yet:{" "}
                <Link href="/secrets" className="underline underline-offset-4">
                  add one
                </Link>{" "}
                first.
              </>
            ) : (
              "Its value is what the proxy adds; the run never sees it"
            )
          }
          error={fields.secretName}
        >
          <Select id={`${idPrefix}-secret`} value={secretName} onChange={(event) => setSecretName(event.target.value)} className="w-full">
            <option value="">Pick a secret…</option>
            {secrets.data?.secrets.map((secret) => (
              <option key={secret.id} value={secret.name}>
                {secret.name}
              </option>
            ))}
            {existing && secrets.data && !secrets.data.secrets.some((secret) => secret.name === existing.secretName) ? <option value={existing.secretName}>{existing.secretName}</option> : null}
          </Select>
        </Field>
      </div>
      <Field label="Hosts" htmlFor={`${idPrefix}-hosts`} hint="One per line: api.example.com, *.example.com (subdomains only), 10.0.0.5, or host:8443 for one port" error={fields.hosts}>
        <Textarea id={`${idPrefix}-hosts`} rows={3} value={hosts} onChange={(event) => setHosts(event.target.value)} spellCheck={false} />
      </Field>
      <div className="grid gap-4 sm:grid-cols-2">
        <Field label="Injected as" htmlFor={`${idPrefix}-kind`} hint="The proxy replaces whatever the run sent in that place" error={needs ? undefined : fields.inject}>
          <Select id={`${idPrefix}-kind`} value={kind} onChange={(event) => setKind(event.target.value as InjectKind)} className="w-full">
            <option value="bearer">Authorization: Bearer</option>
            <option value="header">A header</option>
            <option value="basic">Authorization: Basic (value as password)</option>
            <option value="query">A query parameter</option>
          </Select>
        </Field>
        {needs ? (
          <Field label={needs.label} htmlFor={`${idPrefix}-inject`} hint={needs.hint} error={fields.inject}>
            <Input id={`${idPrefix}-inject`} value={kindText} onChange={(event) => setKindText(event.target.value)} autoComplete="off" spellCheck={false} />
          </Field>
        ) : null}
      </div>
      <Field label="Description" htmlFor={`${idPrefix}-description`} hint="Optional: what it is for" error={fields.description}>
        <Input id={`${idPrefix}-description`} value={description} onChange={(event) => setDescription(event.target.value)} autoComplete="off" />
      </Field>
      {error && !formFields.some((field) => fields[field]) ? (
        <p role="alert" className="text-sm text-red-600 dark:text-red-400">
          {error}
        </p>
      ) : null}
      <Button type="submit" disabled={create.isPending || update.isPending}>
        {existing ? "Update grant" : "Save grant"}
      </Button>
    </form>
  );
}
