"use client";

import { useMutation } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Button } from "~/components/ui/button";
import { Field } from "~/components/ui/field";
import { Input } from "~/components/ui/input";
import { errorMessage, fieldErrorsOf } from "~/lib/trpc-errors";
import { useTRPC } from "~/trpc/client";

/** Add or replace (same registry) a credential; the password field is cleared as soon as it was sent. */
export function SaveCredential({ registry: preset, onSaved }: { registry?: string; onSaved: (message: string) => void }) {
  const trpc = useTRPC();
  const [registry, setRegistry] = useState(preset ?? "");
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState("");
  const [fields, setFields] = useState<Record<string, string>>({});
  const save = useMutation(trpc.registries.save.mutationOptions());

  async function submit(event: FormEvent) {
    event.preventDefault();
    setError("");
    setFields({});
    if (!registry.trim()) return setFields({ registry: "Name the registry, e.g. ghcr.io or 127.0.0.1:5051" });
    if (!username.trim()) return setFields({ username: "Give the registry username" });
    if (!password) return setFields({ password: "Give the password or access token" });
    try {
      const saved = await save.mutateAsync({ registry, username, password });
      setPassword("");
      if (!preset) setRegistry("");
      setUsername("");
      onSaved(`${saved.created ? "Saved" : "Replaced"} the credential for ${saved.credential.registry}.`);
    } catch (caught) {
      setPassword("");
      setFields(fieldErrorsOf(caught));
      setError(errorMessage(caught));
    }
  }

  return (
    <form
      onSubmit={submit}
      className="space-y-4 rounded-lg border border-zinc-200 p-5 dark:border-zinc-800"
      noValidate
      aria-label={preset ? `Replace the credential for ${preset}` : "Add a registry credential"}
    >
      <div className="grid gap-4 sm:grid-cols-3">
        <Field label="Registry" htmlFor={`registry-host${preset ? "-replace" : ""}`} hint="host[:port], e.g. ghcr.io, docker.io, 127.0.0.1:5051" error={fields.registry}>
          <Input
            id={`registry-host${preset ? "-replace" : ""}`}
            value={registry}
            readOnly={Boolean(preset)}
            onChange={(event) => setRegistry(event.target.value)}
            autoComplete="off"
            spellCheck={false}
          />
        </Field>
        <Field label="Username" htmlFor={`registry-username${preset ? "-replace" : ""}`} error={fields.username}>
          <Input id={`registry-username${preset ? "-replace" : ""}`} value={username} onChange={(event) => setUsername(event.target.value)} autoComplete="off" spellCheck={false} />
        </Field>
        <Field label="Password or token" htmlFor={`registry-password${preset ? "-replace" : ""}`} hint="Stored encrypted; never shown again" error={fields.password}>
          <Input id={`registry-password${preset ? "-replace" : ""}`} type="password" value={password} onChange={(event) => setPassword(event.target.value)} autoComplete="new-password" />
        </Field>
      </div>
      {error && !Object.keys(fields).length ? (
        <p role="alert" className="text-sm text-red-600 dark:text-red-400">
          {error}
        </p>
      ) : null}
      <Button type="submit" disabled={save.isPending}>
        {preset ? "Replace credential" : "Save credential"}
      </Button>
    </form>
  );
}
