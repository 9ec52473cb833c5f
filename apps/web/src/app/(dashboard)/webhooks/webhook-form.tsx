"use client";

import { useMutation } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { Button } from "~/components/ui/button";
import { Field } from "~/components/ui/field";
import { Input } from "~/components/ui/input";
import { errorMessage, fieldErrorsOf } from "~/lib/trpc-errors";
import { useTRPC } from "~/trpc/client";
import { allEvents, webhookEventChoices } from "./webhook-events";

export interface EditableEndpoint {
  id: string;
  url: string;
  description: string | null;
  events: string[];
  enabled: boolean;
}

type EventChoice = (typeof webhookEventChoices)[number][0] | typeof allEvents;

const formFields = ["url", "events", "description"];

/**
 * Add an endpoint, or (given `existing`) change its URL, events, description or whether it is
 * enabled. A new endpoint's secret goes to `onCreated`: the view shows it once.
 */
export function WebhookForm({ existing, onSaved, onCreated }: { existing?: EditableEndpoint; onSaved: (message: string) => void; onCreated?: (created: { url: string; secret: string }) => void }) {
  const trpc = useTRPC();
  const [url, setUrl] = useState(existing?.url ?? "");
  const [description, setDescription] = useState(existing?.description ?? "");
  const [events, setEvents] = useState<EventChoice[]>((existing?.events as EventChoice[] | undefined) ?? ["run.succeeded", "run.failed", "run.timed_out"]);
  const [enabled, setEnabled] = useState(existing?.enabled ?? true);
  const [error, setError] = useState("");
  const [fields, setFields] = useState<Record<string, string>>({});
  const create = useMutation(trpc.webhooks.create.mutationOptions());
  const update = useMutation(trpc.webhooks.update.mutationOptions());
  const idPrefix = existing ? `webhook-${existing.id}` : "webhook-new";
  const all = events.includes(allEvents);
  const toggle = (event: EventChoice, on: boolean) => setEvents(on ? [...events.filter((entry) => entry !== event), event] : events.filter((entry) => entry !== event));

  async function submit(submitted: FormEvent) {
    submitted.preventDefault();
    setError("");
    setFields({});
    const problems: Record<string, string> = {};
    if (!url.trim()) problems.url = "Give the URL Bailey POSTs events to, e.g. https://ci.example.com/bailey-webhook";
    if (!events.length) problems.events = 'Pick at least one event, or "All events"';
    if (Object.keys(problems).length) return setFields(problems);
    const chosen: EventChoice[] = all ? [allEvents] : events;
    try {
      if (existing) {
        await update.mutateAsync({ id: existing.id, url: url.trim(), events: chosen, description: description.trim() || null, enabled });
        onSaved(`Updated ${url.trim()}.`);
      } else {
        const created = await create.mutateAsync({ url: url.trim(), events: chosen, ...(description.trim() ? { description: description.trim() } : {}) });
        setUrl("");
        setDescription("");
        onCreated?.({ url: created.endpoint.url, secret: created.secret });
        onSaved(`Added ${created.endpoint.url}.`);
      }
    } catch (caught) {
      const mapped: Record<string, string> = {};
      for (const [path, message] of Object.entries(fieldErrorsOf(caught))) mapped[path.split(".")[0] ?? "form"] ??= message;
      setFields(mapped);
      setError(errorMessage(caught));
    }
  }

  return (
    <form
      onSubmit={submit}
      className="space-y-4 rounded-lg border border-zinc-200 p-5 dark:border-zinc-800"
      noValidate
      aria-label={existing ? `Update webhook ${existing.url}` : "Add a webhook endpoint"}
    >
      <div className="grid gap-4 sm:grid-cols-2">
        <Field label="URL" htmlFor={`${idPrefix}-url`} hint="https:// to any host; plain http:// only to loopback or private addresses, e.g. http://10.0.0.5:8080/hook" error={fields.url}>
          <Input id={`${idPrefix}-url`} value={url} onChange={(event) => setUrl(event.target.value)} autoComplete="off" spellCheck={false} placeholder="https://ci.example.com/bailey-webhook" />
        </Field>
        <Field label="Description" htmlFor={`${idPrefix}-description`} hint="Optional: what receives it" error={fields.description}>
          <Input id={`${idPrefix}-description`} value={description} onChange={(event) => setDescription(event.target.value)} autoComplete="off" />
        </Field>
      </div>
      <fieldset className="space-y-1" aria-describedby={fields.events ? `${idPrefix}-events-error` : undefined}>
        <legend className="mb-1 text-sm font-medium">Events</legend>
        <label className="flex items-center gap-2 text-sm">
          <input type="checkbox" checked={all} onChange={(event) => toggle(allEvents, event.target.checked)} />
          <span>All events</span> <span className="text-zinc-500">including types added later</span>
        </label>
        {webhookEventChoices.map(([type, label]) => (
          <label key={type} className="flex items-center gap-2 text-sm">
            <input type="checkbox" disabled={all} checked={all || events.includes(type)} onChange={(event) => toggle(type, event.target.checked)} />
            <code>{type}</code> <span className="text-zinc-500">{label}</span>
          </label>
        ))}
        {fields.events ? (
          <p id={`${idPrefix}-events-error`} role="alert" className="text-sm text-red-600 dark:text-red-400">
            {fields.events}
          </p>
        ) : null}
      </fieldset>
      {existing ? (
        <label className="flex items-center gap-2 text-sm">
          <input type="checkbox" checked={enabled} onChange={(event) => setEnabled(event.target.checked)} />
          <span>Enabled</span> <span className="text-zinc-500">a disabled endpoint gets no new events; queued ones wait until it is enabled again</span>
        </label>
      ) : null}
      {error && !formFields.some((field) => fields[field]) ? (
        <p role="alert" className="text-sm text-red-600 dark:text-red-400">
          {error}
        </p>
      ) : null}
      <Button type="submit" disabled={create.isPending || update.isPending}>
        {existing ? "Update endpoint" : "Add endpoint"}
      </Button>
    </form>
  );
}
