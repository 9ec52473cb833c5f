"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useEffect, useState } from "react";
import { useRole } from "~/components/role-gate";
import { Button } from "~/components/ui/button";
import { Field } from "~/components/ui/field";
import { Input } from "~/components/ui/input";
import { Select } from "~/components/ui/select";
import { errorMessage } from "~/lib/trpc-errors";
import { useTRPC } from "~/trpc/client";

type SubmitRole = "member" | "admin" | "owner";
type EgressPolicy = "open" | "strict";
type RoleField = "minRoleDockerHost" | "minRoleDockerDind" | "minRoleSandboxNone";

const capabilities: [RoleField, string, string][] = [
  ["minRoleDockerHost", "docker:host runs", "The host's engine socket: root on the host."],
  ["minRoleDockerDind", "docker:dind runs", "A privileged container and a BuildKit sidecar (no Docker engine unless the image brings one)."],
  ["minRoleSandboxNone", "Runs without gVisor", "sandbox: none runs on the host kernel."],
];

/** Owners and admins decide who may ask for each escalation, the default timeout, the queue cap and how long an unplaceable run waits. */
export function RunPolicy() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const role = useRole();
  const policy = useQuery(trpc.team.policy.queryOptions());
  const [roles, setRoles] = useState<Record<RoleField, SubmitRole>>({ minRoleDockerHost: "admin", minRoleDockerDind: "admin", minRoleSandboxNone: "admin" });
  const [timeoutText, setTimeoutText] = useState("");
  const [cap, setCap] = useState("");
  const [unplaceableText, setUnplaceableText] = useState("");
  const [egressPolicy, setEgressPolicy] = useState<EgressPolicy>("open");
  const [formError, setFormError] = useState("");
  const update = useMutation(
    trpc.team.updatePolicy.mutationOptions({ onSuccess: (data) => queryClient.setQueryData(trpc.team.policy.queryKey(), data), onError: (error) => setFormError(errorMessage(error)) }),
  );

  useEffect(() => {
    if (!policy.data) return;
    const current = policy.data.policy;
    setRoles({ minRoleDockerHost: current.minRoleDockerHost as SubmitRole, minRoleDockerDind: current.minRoleDockerDind as SubmitRole, minRoleSandboxNone: current.minRoleSandboxNone as SubmitRole });
    setTimeoutText(String(current.defaultRunTimeoutSeconds));
    setCap(String(current.maxQueuedRuns));
    setUnplaceableText(String(current.unplaceableTimeoutSeconds));
    setEgressPolicy(current.defaultEgressPolicy);
  }, [policy.data]);

  function submit(event: FormEvent) {
    event.preventDefault();
    setFormError("");
    const timeoutSeconds = Number(timeoutText);
    const maxQueuedRuns = Number(cap);
    if (!Number.isInteger(timeoutSeconds) || timeoutSeconds < 1) return setFormError("The default timeout is a whole number of seconds, at least 1 (14400 is 4 hours).");
    if (!Number.isInteger(maxQueuedRuns) || maxQueuedRuns < 1) return setFormError("The queue cap is a whole number of runs, at least 1.");
    const unplaceableTimeoutSeconds = Number(unplaceableText);
    if (!Number.isInteger(unplaceableTimeoutSeconds) || unplaceableTimeoutSeconds < 30 || unplaceableTimeoutSeconds > 604_800) {
      return setFormError("The unplaceable-run timeout is a whole number of seconds from 30 to 604800 (7 days); 900 is 15 minutes.");
    }
    update.mutate({ ...roles, defaultRunTimeoutSeconds: timeoutSeconds, maxQueuedRuns, unplaceableTimeoutSeconds, defaultEgressPolicy: egressPolicy });
  }

  return (
    <section className="space-y-3" aria-labelledby="policy-heading">
      <h2 id="policy-heading" className="text-lg font-semibold">
        Run policy
      </h2>
      <p className="text-sm text-zinc-500 dark:text-zinc-400">Who may ask for what gives a run power over its host. Each host must also allow it in its own BAILEY_ALLOW (in /etc/bailey/agent.env).</p>
      <form onSubmit={submit} className="max-w-2xl space-y-4" aria-label="Run policy">
        <div className="grid gap-4 sm:grid-cols-3">
          {capabilities.map(([field, label, hint]) => (
            <Field key={field} label={label} htmlFor={field} hint={hint}>
              <Select id={field} value={roles[field]} onChange={(event) => setRoles({ ...roles, [field]: event.target.value as SubmitRole })} className="w-full">
                <option value="member">members and up</option>
                <option value="admin">admins and owners</option>
                {role === "owner" || roles[field] === "owner" ? <option value="owner">owners only</option> : null}
              </Select>
            </Field>
          ))}
        </div>
        <div className="grid gap-4 sm:grid-cols-3">
          <Field label="Default run timeout (s)" htmlFor="defaultRunTimeoutSeconds" hint="For runs whose spec sets no timeout.">
            <Input id="defaultRunTimeoutSeconds" inputMode="numeric" value={timeoutText} onChange={(event) => setTimeoutText(event.target.value)} />
          </Field>
          <Field label="Queued runs cap" htmlFor="maxQueuedRuns" hint="Submissions beyond it get 429 until some start.">
            <Input id="maxQueuedRuns" inputMode="numeric" value={cap} onChange={(event) => setCap(event.target.value)} />
          </Field>
          <Field label="Unplaceable run timeout (s)" htmlFor="unplaceableTimeoutSeconds" hint="A queued run no host can ever take fails after this.">
            <Input id="unplaceableTimeoutSeconds" inputMode="numeric" value={unplaceableText} onChange={(event) => setUnplaceableText(event.target.value)} />
          </Field>
        </div>
        <Field
          label="Default egress policy"
          htmlFor="defaultEgressPolicy"
          hint="For runs whose spec sets no network.policy. Strict: the run reaches only its grants' hosts and network.allow, through the egress proxy."
          className="max-w-md"
        >
          <Select id="defaultEgressPolicy" value={egressPolicy} onChange={(event) => setEgressPolicy(event.target.value as EgressPolicy)} className="w-full">
            <option value="open">open (any host)</option>
            <option value="strict">strict (granted and allowed hosts only)</option>
          </Select>
        </Field>
        {formError ? (
          <p role="alert" className="text-sm text-red-600 dark:text-red-400">
            {formError}
          </p>
        ) : null}
        {update.isSuccess && !formError ? (
          <p role="status" className="text-sm text-emerald-700 dark:text-emerald-400">
            Policy saved.
          </p>
        ) : null}
        <Button type="submit" disabled={update.isPending || !policy.data}>
          Save policy
        </Button>
      </form>
    </section>
  );
}
