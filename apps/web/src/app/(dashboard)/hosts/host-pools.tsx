"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { RoleGate } from "~/components/role-gate";
import { Button } from "~/components/ui/button";
import { ConfirmButton } from "~/components/ui/confirm-button";
import { Field } from "~/components/ui/field";
import { Input } from "~/components/ui/input";
import { Select } from "~/components/ui/select";
import { errorMessage, fieldErrorsOf } from "~/lib/trpc-errors";
import { useTRPC } from "~/trpc/client";

export interface HostPool {
  id: string;
  image: string;
  sandbox: "gvisor" | "none";
  resources: { cpus?: number | undefined; memoryBytes?: number | undefined; pids?: number | undefined };
  size: number;
  status: { idle: number; starting: number; claimedTotal: number; lastError: string | null } | null;
  statusAt: Date | null;
}

function resourcesText(resources: HostPool["resources"]): string {
  const parts = [
    resources.cpus === undefined ? null : `${resources.cpus} cpu`,
    resources.memoryBytes === undefined ? null : `${Math.round(resources.memoryBytes / 1024 ** 2)} MiB`,
    resources.pids === undefined ? null : `${resources.pids} pids`,
  ].filter(Boolean);
  return parts.join(", ");
}

/** A host's warm pools: what its agent last reported (idle / starting, last error) and, for admins, add, resize and remove. */
export function HostPools({ hostId, hostName, pools }: { hostId: string; hostName: string; pools: HostPool[] }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [adding, setAdding] = useState(false);
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.pools.list.queryKey() });
  const update = useMutation(trpc.pools.update.mutationOptions({ onSettled: refresh }));
  const remove = useMutation(trpc.pools.delete.mutationOptions({ onSettled: refresh }));
  const problem = update.error ?? remove.error;
  return (
    <div className="text-xs" data-testid="host-pools" data-host-pools={hostName}>
      <div className="mb-1 flex items-center gap-3 font-medium text-zinc-600 dark:text-zinc-300">
        Warm pools
        <RoleGate atLeast="admin">
          {adding ? null : (
            <Button variant="ghost" className="h-6 px-2 text-xs" onClick={() => setAdding(true)}>
              Add pool
            </Button>
          )}
        </RoleGate>
      </div>
      {pools.length ? (
        <ul className="space-y-1">
          {pools.map((pool) => (
            <li key={pool.id} className="flex flex-wrap items-center gap-x-3" data-pool={pool.image} data-sandbox={pool.sandbox}>
              <span className="break-all font-mono">{pool.image}</span>
              <span className="text-zinc-500">{pool.sandbox === "gvisor" ? "gVisor" : "no sandbox"}</span>
              {resourcesText(pool.resources) ? <span className="text-zinc-500">{resourcesText(pool.resources)}</span> : null}
              <span>size {pool.size}</span>
              {pool.status ? (
                <span data-testid="pool-state" data-idle={pool.status.idle} data-starting={pool.status.starting}>
                  idle {pool.status.idle} / starting {pool.status.starting}
                  {pool.status.starting > 0 ? <span className="ml-1 text-amber-600 dark:text-amber-400">refilling</span> : null}
                </span>
              ) : (
                <span className="text-zinc-500" data-testid="pool-state">
                  not reported yet
                </span>
              )}
              {pool.status ? <span className="text-zinc-500">{pool.status.claimedTotal} claimed</span> : null}
              <RoleGate atLeast="admin">
                <PoolSize pool={pool} onSave={(size) => update.mutate({ id: pool.id, size })} pending={update.isPending} />
                <ConfirmButton label="Remove" title={`Remove the ${pool.image} pool on ${hostName}?`} confirmLabel="Remove pool" onConfirm={() => remove.mutate({ id: pool.id })}>
                  Its idle containers are removed on the scheduler's next tick; runs already given one keep it.
                </ConfirmButton>
              </RoleGate>
              {pool.status?.lastError ? (
                <span role="status" className="basis-full text-red-600 dark:text-red-400">
                  {pool.status.lastError}
                </span>
              ) : null}
            </li>
          ))}
        </ul>
      ) : (
        <p className="text-zinc-500">none</p>
      )}
      {problem ? (
        <p role="alert" className="text-red-600 dark:text-red-400">
          {errorMessage(problem)}
        </p>
      ) : null}
      {adding ? <AddPool hostId={hostId} onDone={() => setAdding(false)} /> : null}
    </div>
  );
}

function PoolSize({ pool, onSave, pending }: { pool: HostPool; onSave: (size: number) => void; pending: boolean }) {
  const [size, setSize] = useState(String(pool.size));
  return (
    <form
      className="flex items-center gap-1"
      onSubmit={(event) => {
        event.preventDefault();
        onSave(Number(size));
      }}
    >
      <label className="sr-only" htmlFor={`pool-size-${pool.id}`}>
        Size of the {pool.image} pool
      </label>
      <Input id={`pool-size-${pool.id}`} type="number" min={0} max={50} value={size} onChange={(event) => setSize(event.target.value)} className="h-6 w-16 text-xs" />
      <Button type="submit" variant="secondary" className="h-6 px-2 text-xs" disabled={pending || Number(size) === pool.size}>
        Resize
      </Button>
    </form>
  );
}

function AddPool({ hostId, onDone }: { hostId: string; onDone: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [image, setImage] = useState("");
  const [sandbox, setSandbox] = useState<"gvisor" | "none">("gvisor");
  const [size, setSize] = useState("2");
  const [cpus, setCpus] = useState("");
  const [memory, setMemory] = useState("");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const create = useMutation(trpc.pools.create.mutationOptions({ onSettled: () => queryClient.invalidateQueries({ queryKey: trpc.pools.list.queryKey() }) }));

  async function submit(event: FormEvent) {
    event.preventDefault();
    const sizeNumber = Number(size);
    if (!Number.isInteger(sizeNumber) || sizeNumber < 0 || sizeNumber > 50) return setErrors({ size: "A whole number from 0 to 50." });
    if (cpus && !(Number(cpus) > 0)) return setErrors({ resources: "CPUs must be a number above 0, or empty." });
    if (memory && !(Number(memory) >= 6)) return setErrors({ resources: "Memory is in MiB, at least 6, or empty." });
    setErrors({});
    const resources = { ...(cpus ? { cpus: Number(cpus) } : {}), ...(memory ? { memoryBytes: Math.round(Number(memory) * 1024 ** 2) } : {}) };
    try {
      await create.mutateAsync({ hostId, image: image.trim(), sandbox, size: sizeNumber, ...(Object.keys(resources).length ? { resources } : {}) });
      onDone();
    } catch (error) {
      const fields = fieldErrorsOf(error);
      const mapped: Record<string, string> = {};
      for (const [path, message] of Object.entries(fields)) mapped[path.split(".")[0]!] ??= message;
      setErrors(Object.keys(mapped).length ? { ...mapped, form: errorMessage(error) } : { form: errorMessage(error) });
    }
  }

  return (
    <form onSubmit={submit} className="mt-2 grid gap-3 rounded-lg border border-zinc-200 p-4 sm:grid-cols-5 dark:border-zinc-800" noValidate aria-label="Add a warm pool">
      <Field label="Image" htmlFor={`pool-image-${hostId}`} error={errors.image} hint="exactly as runs name it">
        <Input id={`pool-image-${hostId}`} value={image} onChange={(event) => setImage(event.target.value)} />
      </Field>
      <Field label="Sandbox" htmlFor={`pool-sandbox-${hostId}`} error={errors.sandbox}>
        <Select id={`pool-sandbox-${hostId}`} value={sandbox} onChange={(event) => setSandbox(event.target.value as "gvisor" | "none")} className="w-full">
          <option value="gvisor">gVisor</option>
          <option value="none">none</option>
        </Select>
      </Field>
      <Field label="Size" htmlFor={`pool-size-new-${hostId}`} error={errors.size} hint="idle containers, 0–50">
        <Input id={`pool-size-new-${hostId}`} type="number" min={0} max={50} value={size} onChange={(event) => setSize(event.target.value)} />
      </Field>
      <Field label="CPUs" htmlFor={`pool-cpus-${hostId}`} error={errors.resources} hint="as the runs ask; empty: none">
        <Input id={`pool-cpus-${hostId}`} value={cpus} onChange={(event) => setCpus(event.target.value)} />
      </Field>
      <Field label="Memory (MiB)" htmlFor={`pool-memory-${hostId}`} hint="as the runs ask; empty: none">
        <Input id={`pool-memory-${hostId}`} value={memory} onChange={(event) => setMemory(event.target.value)} />
      </Field>
      {errors.form ? (
        <p role="alert" className="text-sm text-red-600 sm:col-span-5 dark:text-red-400">
          {errors.form}
        </p>
      ) : null}
      <div className="flex gap-2 sm:col-span-5">
        <Button type="submit" disabled={create.isPending}>
          Add pool
        </Button>
        <Button type="button" variant="ghost" onClick={onDone}>
          Cancel
        </Button>
      </div>
    </form>
  );
}
