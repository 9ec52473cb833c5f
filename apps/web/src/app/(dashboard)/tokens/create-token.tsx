"use client";

import { useMutation } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { CopyButton } from "~/components/copy-button";
import { Button } from "~/components/ui/button";
import { Field } from "~/components/ui/field";
import { Input } from "~/components/ui/input";
import { Select } from "~/components/ui/select";
import { errorMessage } from "~/lib/trpc-errors";
import { useTRPC } from "~/trpc/client";

const scopes = [
  ["runs:read", "Read runs and logs"],
  ["runs:write", "Start, stop and destroy runs"],
  ["runs:exec", "Open terminals and run commands in running runs (members)"],
  ["hosts:read", "Read hosts"],
  ["hosts:write", "Add, drain and remove hosts"],
  ["audit:read", "Read and verify the audit log"],
  ["team:write", "Change the team's run policy (admins)"],
  ["registries:read", "List registry credentials (never their secrets)"],
  ["registries:write", "Save and remove registry credentials (admins)"],
  ["secrets:read", "List the team's secrets (names, never values)"],
  ["secrets:write", "Create, update and delete team secrets (admins)"],
  ["webhooks:read", "List webhook endpoints and their delivery logs (members; never their secrets)"],
  ["webhooks:write", "Add, change, test and remove webhook endpoints, redeliver events (admins)"],
] as const;

type Scope = (typeof scopes)[number][0];

/** Create: the secret is shown here once and never again. */
export function CreateToken({ onCreated }: { onCreated: () => void }) {
  const trpc = useTRPC();
  const [name, setName] = useState("");
  const [chosen, setChosen] = useState<Scope[]>(["runs:read", "runs:write"]);
  const [days, setDays] = useState("90");
  const [error, setError] = useState("");
  const create = useMutation(trpc.tokens.create.mutationOptions({ onSuccess: onCreated }));

  async function submit(event: FormEvent) {
    event.preventDefault();
    setError("");
    if (!name.trim()) return setError("Give the token a name, e.g. the CI job that uses it.");
    if (!chosen.length) return setError("Pick at least one scope.");
    try {
      await create.mutateAsync({ name: name.trim(), scopes: chosen, expiresAt: days === "never" ? "never" : new Date(Date.now() + Number(days) * 86_400_000) });
    } catch (caught) {
      setError(errorMessage(caught));
    }
  }

  if (create.data) {
    return (
      <div className="space-y-3 rounded-lg border border-emerald-300 p-5 dark:border-emerald-800" role="status">
        <p className="font-medium">Token {create.data.apiToken.name} created. Copy it now: Bailey shows it only once.</p>
        <pre data-testid="new-token" className="overflow-x-auto rounded-md bg-zinc-950 p-3 font-mono text-xs text-zinc-100">
          {create.data.token}
        </pre>
        <div className="flex gap-2">
          <CopyButton text={create.data.token} />
          <Button variant="ghost" onClick={() => create.reset()}>
            Done
          </Button>
        </div>
      </div>
    );
  }

  return (
    <form onSubmit={submit} className="space-y-4 rounded-lg border border-zinc-200 p-5 dark:border-zinc-800" noValidate>
      <div className="grid gap-4 sm:grid-cols-2">
        <Field label="Name" htmlFor="token-name">
          <Input id="token-name" value={name} onChange={(event) => setName(event.target.value)} />
        </Field>
        <Field label="Expires" htmlFor="token-expiry">
          <Select id="token-expiry" value={days} onChange={(event) => setDays(event.target.value)} className="w-full">
            <option value="7">in 7 days</option>
            <option value="30">in 30 days</option>
            <option value="90">in 90 days</option>
            <option value="365">in a year</option>
            <option value="never">never (not recommended)</option>
          </Select>
        </Field>
      </div>
      <fieldset className="space-y-1">
        <legend className="mb-1 text-sm font-medium">Scopes</legend>
        {scopes.map(([scope, label]) => (
          <label key={scope} className="flex items-center gap-2 text-sm">
            <input type="checkbox" checked={chosen.includes(scope)} onChange={(event) => setChosen(event.target.checked ? [...chosen, scope] : chosen.filter((entry) => entry !== scope))} />
            <code>{scope}</code> <span className="text-zinc-500">{label}</span>
          </label>
        ))}
      </fieldset>
      {error ? (
        <p role="alert" className="text-sm text-red-600 dark:text-red-400">
          {error}
        </p>
      ) : null}
      <Button type="submit" disabled={create.isPending}>
        Create token
      </Button>
    </form>
  );
}
