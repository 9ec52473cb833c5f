"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Fragment, useState } from "react";
import { CopyButton } from "~/components/copy-button";
import { EmptyState } from "~/components/empty-state";
import { RoleGate } from "~/components/role-gate";
import { Button } from "~/components/ui/button";
import { ConfirmButton } from "~/components/ui/confirm-button";
import { errorMessage } from "~/lib/trpc-errors";
import { useTRPC } from "~/trpc/client";
import { DeliveryLog } from "./delivery-log";
import { describeEvents } from "./webhook-events";
import { WebhookForm } from "./webhook-form";

/** A secret as create or rotate returned it: shown until dismissed, never fetched again. */
function ShownSecret({ shown, onDone }: { shown: { url: string; secret: string; rotated: boolean }; onDone: () => void }) {
  return (
    <div className="space-y-3 rounded-lg border border-emerald-300 p-5 dark:border-emerald-800" data-testid="webhook-secret-panel">
      <p className="font-medium">
        {shown.rotated ? "New signing secret" : "Signing secret"} for {shown.url}. Copy it now: Bailey shows it only once.
      </p>
      <p className="text-sm text-zinc-600 dark:text-zinc-400">
        The receiver checks each request&apos;s <code className="font-mono text-xs">webhook-signature</code> header with it (HMAC-SHA256 over id, timestamp and body; see docs/webhooks.md).
        {shown.rotated ? " Requests from now on are signed with this secret only." : ""}
      </p>
      <pre data-testid="webhook-secret" className="overflow-x-auto rounded-md bg-zinc-950 p-3 font-mono text-xs text-zinc-100">
        {shown.secret}
      </pre>
      <div className="flex gap-2">
        <CopyButton text={shown.secret} />
        <Button variant="ghost" onClick={onDone}>
          Done
        </Button>
      </div>
    </div>
  );
}

// Members see the endpoints and their delivery logs; admins add, change, test and remove them.
export function WebhooksView() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const endpoints = useQuery(trpc.webhooks.list.queryOptions());
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.webhooks.list.queryKey() });
  const refreshDeliveries = () => queryClient.invalidateQueries({ queryKey: trpc.webhooks.deliveries.pathKey() });
  const remove = useMutation(trpc.webhooks.delete.mutationOptions({ onSettled: refresh }));
  const rotate = useMutation(trpc.webhooks.rotateSecret.mutationOptions());
  const sendTest = useMutation(trpc.webhooks.sendTest.mutationOptions({ onSuccess: refreshDeliveries }));
  const [editing, setEditing] = useState<string | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  const [notice, setNotice] = useState("");
  const [secret, setSecret] = useState<{ url: string; secret: string; rotated: boolean } | null>(null);
  const saved = (message: string) => {
    setNotice(message);
    setEditing(null);
    void refresh();
  };
  const failure = remove.error ?? rotate.error ?? sendTest.error;
  const editingEndpoint = endpoints.data?.endpoints.find((endpoint) => endpoint.id === editing);
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-semibold tracking-tight">Webhooks</h1>
      <p className="text-sm text-zinc-600 dark:text-zinc-400">
        Bailey POSTs a signed JSON event to each endpoint when a run ends or a host goes offline. A delivery is retried with growing gaps (about 10 s, 30 s, 1.5 min … up to 15 hours) until the
        receiver answers 2xx; each event is sent with the same <code className="font-mono text-xs">webhook-id</code> every time, so a receiver can drop repeats.
      </p>
      <RoleGate atLeast="admin">
        {secret ? <ShownSecret shown={secret} onDone={() => setSecret(null)} /> : <WebhookForm onSaved={saved} onCreated={({ url, secret }) => setSecret({ url, secret, rotated: false })} />}
      </RoleGate>
      {notice ? (
        <p role="status" className="text-sm text-emerald-700 dark:text-emerald-400">
          {notice}
        </p>
      ) : null}
      {failure ? (
        <p role="alert" className="text-sm text-red-600">
          {errorMessage(failure)}
        </p>
      ) : null}
      {endpoints.error ? (
        <p role="alert" className="text-sm text-red-600">
          {errorMessage(endpoints.error)}
        </p>
      ) : null}
      {endpoints.isPending ? <p className="text-sm text-zinc-500">Loading webhook endpoints…</p> : null}
      {endpoints.data?.endpoints.length === 0 ? (
        <EmptyState title="No webhook endpoints">An endpoint receives the events it subscribes to, signed with its own secret. An admin can add one above.</EmptyState>
      ) : null}
      {endpoints.data?.endpoints.length ? (
        <div className="overflow-x-auto rounded-lg border border-zinc-200 dark:border-zinc-800">
          <table className="w-full text-left text-sm">
            <thead className="bg-zinc-50 text-zinc-500 dark:bg-zinc-900 dark:text-zinc-400">
              <tr>
                <th className="px-4 py-2 font-medium">URL</th>
                <th className="px-4 py-2 font-medium">Events</th>
                <th className="px-4 py-2 font-medium">State</th>
                <th className="px-4 py-2 font-medium">Description</th>
                <th className="px-4 py-2" />
              </tr>
            </thead>
            <tbody>
              {endpoints.data.endpoints.map((endpoint) => (
                <Fragment key={endpoint.id}>
                  <tr className="border-t border-zinc-200 align-top dark:border-zinc-800" data-webhook={endpoint.url}>
                    <td className="px-4 py-2 font-mono text-xs break-all">{endpoint.url}</td>
                    <td className="px-4 py-2 font-mono text-xs" data-testid="webhook-events">
                      {describeEvents(endpoint.events)}
                    </td>
                    <td className="px-4 py-2" data-testid="webhook-enabled">
                      {endpoint.enabled ? "enabled" : <span className="text-amber-700 dark:text-amber-400">disabled</span>}
                    </td>
                    <td className="px-4 py-2">{endpoint.description ?? <span className="text-zinc-400">none</span>}</td>
                    <td className="px-4 py-2 text-right">
                      <div className="flex flex-wrap justify-end gap-2">
                        <Button variant="secondary" aria-expanded={open === endpoint.id} onClick={() => setOpen(open === endpoint.id ? null : endpoint.id)}>
                          Deliveries
                        </Button>
                        <RoleGate atLeast="admin">
                          <Button
                            variant="secondary"
                            disabled={sendTest.isPending || !endpoint.enabled}
                            title={endpoint.enabled ? undefined : "Enable the endpoint first"}
                            onClick={() => {
                              setOpen(endpoint.id);
                              sendTest.mutate({ id: endpoint.id }, { onSuccess: () => setNotice(`Test event queued for ${endpoint.url}.`) });
                            }}
                          >
                            Send test
                          </Button>
                          <Button variant="secondary" onClick={() => setEditing(editing === endpoint.id ? null : endpoint.id)}>
                            Edit
                          </Button>
                          <ConfirmButton
                            label="Rotate secret"
                            title={`Rotate the signing secret of ${endpoint.url}?`}
                            confirmLabel="Rotate secret"
                            onConfirm={() => rotate.mutate({ id: endpoint.id }, { onSuccess: ({ endpoint: rotated, secret: next }) => setSecret({ url: rotated.url, secret: next, rotated: true }) })}
                          >
                            Requests from now on are signed with a new secret, shown once. The receiver refuses them until it has the new secret.
                          </ConfirmButton>
                          <ConfirmButton label="Delete" title={`Delete the webhook ${endpoint.url}?`} confirmLabel="Delete endpoint" onConfirm={() => remove.mutate({ id: endpoint.id })}>
                            Its delivery log goes with it, and deliveries still waiting to be sent are dropped.
                          </ConfirmButton>
                        </RoleGate>
                      </div>
                    </td>
                  </tr>
                  {open === endpoint.id ? (
                    <tr className="border-t border-zinc-100 dark:border-zinc-900">
                      <td colSpan={5} className="bg-zinc-50/50 px-4 py-3 dark:bg-zinc-900/40" aria-label={`Deliveries to ${endpoint.url}`}>
                        <DeliveryLog endpointId={endpoint.id} />
                      </td>
                    </tr>
                  ) : null}
                </Fragment>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {editingEndpoint ? <WebhookForm key={editingEndpoint.id} existing={editingEndpoint} onSaved={saved} /> : null}
    </div>
  );
}
