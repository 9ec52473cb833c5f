"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useEffect } from "react";
import { RoleGate } from "~/components/role-gate";
import { RunStateBadge } from "~/components/run-state-badge";
import { ConfirmButton } from "~/components/ui/confirm-button";
import { errorMessage } from "~/lib/trpc-errors";
import { useTRPC } from "~/trpc/client";
import { type BuildStep, RunBuildStep } from "./run-build-steps";
import { type EgressSpec, RunEgress } from "./run-egress";
import { RunLogs } from "./run-logs";
import { RunResults } from "./run-results";
import { RunWaitReason } from "./run-wait-reason";
import { RunPullStep } from "./run-pull-step";
import { RunOutputTabs } from "./terminal/run-output-tabs";
import { RunTerminal } from "./terminal/run-terminal";
import { specHasTty } from "./terminal/terminal-status";

const finalStates = ["succeeded", "failed", "cancelled", "lost", "timed_out"];

interface TimelineRun {
  transitions: { id: bigint; toState: string; reason: string | null; at: Date }[];
  buildSteps: BuildStep[];
}

/** State changes and build steps in the order they happened (a state change first on a tie: it opened the step). */
function timelineOf(run: TimelineRun) {
  const entries = [...run.transitions.map((transition) => ({ at: transition.at, transition })), ...run.buildSteps.map((step) => ({ at: step.at, step }))];
  return entries.sort((a, b) => a.at.getTime() - b.at.getTime());
}

function Section({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <section className="space-y-2">
      <h2 className="text-lg font-semibold">{title}</h2>
      {children}
    </section>
  );
}

export function RunDetail({ runId }: { runId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const run = useQuery(
    trpc.runs.get.queryOptions({ id: runId }, { select: (answer) => answer.run, refetchInterval: (query) => (query.state.data && finalStates.includes(query.state.data.run.state) ? false : 1500) }),
  );
  const audit = useQuery(trpc.audit.list.queryOptions({ run: runId, limit: 200 }, { refetchInterval: run.data && finalStates.includes(run.data.state) ? false : 3000 }));
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.runs.get.queryKey({ id: runId }) });
  // Each state change is an audit event: read them again whenever the state moves on.
  const state = run.data?.state;
  const refetchAudit = audit.refetch;
  useEffect(() => {
    if (state) void refetchAudit();
  }, [state, refetchAudit]);
  const stop = useMutation(trpc.runs.stop.mutationOptions({ onSettled: refresh }));
  const destroy = useMutation(trpc.runs.destroy.mutationOptions({ onSettled: refresh }));

  if (run.isPending) return <p className="text-sm text-zinc-500">Loading the run…</p>;
  if (run.isError) {
    return (
      <p role="alert" className="text-sm text-red-600 dark:text-red-400">
        {run.error.data?.code === "NOT_FOUND" ? "There is no such run in your team." : `Could not load the run: ${run.error.message}`}
      </p>
    );
  }
  const data = run.data;
  const active = !finalStates.includes(data.state);
  const problem = stop.error ?? destroy.error;
  return (
    <div className="space-y-8">
      <div className="flex flex-wrap items-center gap-3">
        <h1 className="font-mono text-2xl font-semibold tracking-tight">{data.name ?? data.id}</h1>
        <RunStateBadge state={data.state} />
        <RoleGate atLeast="member">
          <div className="ml-auto flex gap-2">
            <ConfirmButton label="Stop" title="Stop this run?" confirmLabel="Stop run" disabled={!active || stop.isPending} onConfirm={() => stop.mutate({ id: runId })}>
              The container gets a few seconds to exit, then it is killed. The run ends as cancelled.
            </ConfirmButton>
            <ConfirmButton label="Destroy" title="Destroy this run?" confirmLabel="Destroy" disabled={destroy.isPending} onConfirm={() => destroy.mutate({ id: runId })}>
              Removes everything the run left on its host: its container, sidecars, network, workspace and files. What stays in Bailey: the run&apos;s record, its audit trail, and its logs and results
              (until the team&apos;s retention removes them).
            </ConfirmButton>
          </div>
        </RoleGate>
      </div>
      {problem ? (
        <p role="alert" className="rounded-md border border-red-300 p-3 text-sm text-red-700 dark:border-red-800 dark:text-red-300">
          {errorMessage(problem)}
        </p>
      ) : null}
      <RunWaitReason run={data} />
      {data.lastError || (data.stateReason && ["failed", "lost", "timed_out"].includes(data.state)) ? (
        <p role="alert" className="rounded-md border border-red-300 p-3 text-sm text-red-700 dark:border-red-800 dark:text-red-300">
          {data.state === "timed_out"
            ? `The run hit its timeout of ${data.timeoutSeconds} s and was stopped${data.exitCode === null ? "" : ` (exit code ${data.exitCode})`}.`
            : `${data.state === "lost" ? "Bailey lost contact with the run: " : "The run failed: "}${data.stateReason ?? data.lastError}`}
        </p>
      ) : null}

      <div className="grid gap-8 md:grid-cols-2">
        <Section title="Timeline">
          <ol className="space-y-1 text-sm" data-testid="run-timeline">
            {timelineOf(data).map((entry) =>
              "step" in entry ? (
                <RunBuildStep key={`build-${entry.step.seq}`} step={entry.step} />
              ) : (
                <li key={String(entry.transition.id)} className="flex gap-3">
                  <time className="w-44 shrink-0 text-zinc-500 dark:text-zinc-400" dateTime={entry.transition.at.toISOString()}>
                    {entry.transition.at.toLocaleString()}
                  </time>
                  <span className="font-medium">{entry.transition.toState}</span>
                  {entry.transition.reason ? <span className="text-zinc-500 dark:text-zinc-400">{entry.transition.reason}</span> : null}
                </li>
              ),
            )}
          </ol>
          <RunPullStep progress={data.pullProgress} />
        </Section>
        <Section title="Where it runs">
          <dl className="grid grid-cols-[8rem_1fr] gap-y-1 text-sm">
            <dt className="text-zinc-500">Host</dt>
            <dd>
              {data.host ? (
                <Link href="/hosts" className="underline underline-offset-4">
                  {data.host.name}
                </Link>
              ) : (
                "not placed yet"
              )}
            </dd>
            <dt className="text-zinc-500">Image</dt>
            <dd className="break-all font-mono text-xs">{data.image ?? "—"}</dd>
            <dt className="text-zinc-500">Digest</dt>
            <dd className="break-all font-mono text-xs" data-testid="run-image-digest" title="The content digest the image resolved to on the host">
              {data.imageDigest ?? "not known yet"}
            </dd>
            <dt className="text-zinc-500">Container</dt>
            <dd className="break-all font-mono text-xs">{data.containerId ?? "—"}</dd>
            <dt className="text-zinc-500">Start</dt>
            <dd data-testid="run-start-kind" title={data.warmPoolId ? `Claimed a container that its host's warm pool (${data.warmPoolId}) started ahead` : undefined}>
              {data.warmPoolId ? <span className="text-emerald-700 dark:text-emerald-400">warm start</span> : data.containerId ? "cold start" : "—"}
            </dd>
            <dt className="text-zinc-500">Exit code</dt>
            <dd>{data.exitCode ?? "—"}</dd>
            {data.networks.map((network) => (
              <div key={network.id} className="contents">
                <dt className="text-zinc-500">Network</dt>
                <dd className="break-all font-mono text-xs">
                  {network.name} {network.networkId ?? ""} {network.removedAt ? "(removed)" : ""}
                </dd>
              </div>
            ))}
            {data.sidecars.map((sidecar) => (
              <div key={sidecar.id} className="contents">
                <dt className="text-zinc-500">Sidecar</dt>
                <dd className="break-all font-mono text-xs">
                  {sidecar.role}: {sidecar.name} {sidecar.containerId ?? ""} ({sidecar.state})
                </dd>
              </div>
            ))}
          </dl>
        </Section>
      </div>

      <section id="results" aria-labelledby="results-heading" className="space-y-2">
        <h2 id="results-heading" className="text-lg font-semibold">
          Results
        </h2>
        <RunResults runId={runId} active={active} exited={data.exitCode !== null} state={data.state} />
      </section>

      <RunOutputTabs
        terminalAvailable={data.state === "running"}
        logs={<RunLogs runId={runId} phase={data.state === "running" || data.state === "stopping" ? "running" : active ? "waiting" : data.host ? "finished" : "waiting"} />}
        terminal={<RunTerminal runId={runId} state={data.state} tty={specHasTty(data.spec)} />}
      />

      <Section title="Egress">
        <RunEgress runId={runId} spec={data.spec as EgressSpec} active={active} state={data.state} />
      </Section>

      <Section title="Spec">
        {data.redactedEnv.length ? (
          <p className="text-sm text-zinc-500" data-testid="redacted-env">
            The values of {data.redactedEnv.join(", ")} are hidden: their names look like credentials, and viewers see those as [redacted].
          </p>
        ) : null}
        <pre className="overflow-auto rounded-lg border border-zinc-200 p-4 font-mono text-xs dark:border-zinc-800">{JSON.stringify(data.spec, null, 2)}</pre>
      </Section>

      <Section title="Audit events">
        {audit.data ? (
          <ul className="space-y-1 text-sm" data-testid="run-audit">
            {audit.data.events.map((event) => (
              <li key={event.seq} className="flex gap-3">
                <span className="w-12 text-right text-zinc-500">#{event.seq}</span>
                <span className="font-mono">{event.action}</span>
                <time className="text-zinc-500" dateTime={event.createdAt.toISOString()}>
                  {event.createdAt.toLocaleString()}
                </time>
              </li>
            ))}
          </ul>
        ) : (
          <p className="text-sm text-zinc-500">Loading…</p>
        )}
      </Section>
    </div>
  );
}
