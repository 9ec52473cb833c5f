"use client";

import { useMutation } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Button } from "~/components/ui/button";
import { Field } from "~/components/ui/field";
import { Input } from "~/components/ui/input";
import { errorMessage, fieldErrorsOf } from "~/lib/trpc-errors";
import { useTRPC } from "~/trpc/client";

const nameRule = "A letter or _ first, then letters, digits, _ or - (up to 64), e.g. GITHUB_TOKEN";

/**
 * Create a secret, or (given `existing`) change its value and/or description. The value field
 * is a password field, cleared as soon as it was sent; a stored value is never shown.
 */
export function SecretForm({ existing, onSaved }: { existing?: { id: string; name: string; description: string | null }; onSaved: (message: string) => void }) {
  const trpc = useTRPC();
  const [name, setName] = useState(existing?.name ?? "");
  const [value, setValue] = useState("");
  const [description, setDescription] = useState(existing?.description ?? "");
  const [error, setError] = useState("");
  const [fields, setFields] = useState<Record<string, string>>({});
  const create = useMutation(trpc.secrets.create.mutationOptions());
  const update = useMutation(trpc.secrets.update.mutationOptions());
  const idPrefix = existing ? `secret-${existing.name}` : "secret-new";

  async function submit(event: FormEvent) {
    event.preventDefault();
    setError("");
    setFields({});
    try {
      if (existing) {
        const descriptionChanged = description.trim() !== (existing.description ?? "");
        if (!value && !descriptionChanged) return setFields({ value: "Give a new value, or change the description" });
        await update.mutateAsync({ id: existing.id, ...(value ? { value } : {}), ...(descriptionChanged ? { description: description.trim() || null } : {}) });
        setValue("");
        onSaved(`Updated ${existing.name}.`);
      } else {
        if (!name.trim()) return setFields({ name: nameRule });
        if (!value) return setFields({ value: "Give the secret's value" });
        const { secret } = await create.mutateAsync({ name, value, ...(description.trim() ? { description: description.trim() } : {}) });
        setValue("");
        setName("");
        setDescription("");
        onSaved(`Saved ${secret.name}.`);
      }
    } catch (caught) {
      setValue("");
      setFields(fieldErrorsOf(caught));
      setError(errorMessage(caught));
    }
  }

  return (
    <form onSubmit={submit} className="space-y-4 rounded-lg border border-zinc-200 p-5 dark:border-zinc-800" noValidate aria-label={existing ? `Update ${existing.name}` : "Add a secret"}>
      <div className="grid gap-4 sm:grid-cols-3">
        <Field label="Name" htmlFor={`${idPrefix}-name`} hint={existing ? "Names cannot change; delete and add again to rename" : nameRule} error={fields.name}>
          <Input id={`${idPrefix}-name`} value={name} readOnly={Boolean(existing)} onChange={(event) => setName(event.target.value)} autoComplete="off" spellCheck={false} />
        </Field>
        <Field
          label={existing ? "New value" : "Value"}
          htmlFor={`${idPrefix}-value`}
          hint={existing ? "Leave empty to keep the stored value" : "Stored encrypted; never shown again. Multi-line values (key files): POST /api/v1/secrets"}
          error={fields.value}
        >
          <Input id={`${idPrefix}-value`} type="password" value={value} onChange={(event) => setValue(event.target.value)} autoComplete="new-password" />
        </Field>
        <Field label="Description" htmlFor={`${idPrefix}-description`} hint="Optional: what it is for" error={fields.description}>
          <Input id={`${idPrefix}-description`} value={description} onChange={(event) => setDescription(event.target.value)} autoComplete="off" />
        </Field>
      </div>
      {error && !Object.keys(fields).length ? (
        <p role="alert" className="text-sm text-red-600 dark:text-red-400">
          {error}
        </p>
      ) : null}
      <Button type="submit" disabled={create.isPending || update.isPending}>
        {existing ? "Update secret" : "Save secret"}
      </Button>
    </form>
  );
}
