import type { AgentEvent } from "@bailey/protocol";
import type { Prisma, PrismaClient } from "@bailey/db";
import { appendAuditEvent } from "../audit";
import { markCachedImagesStale } from "../images/cached-images";
import { applyRunImageEvent, imageEventTypes } from "../images/pull-progress";
import { activeRunStates } from "../runs/state-machine";
import { transitionRun } from "../runs/transition-run";
import { holdForResults, resultsNeverMade } from "../results/hold-for-results";
import { applyRunResultEvent, resultEventTypes } from "../results/result-events";
import { applyRunEgressEvent, egressEventTypes } from "./egress-ingest";
import type { HostConnections, HostEndpoint } from "./host-connections";
import { observeEventsIngested } from "../observability/ingest-metrics";

type Host = HostEndpoint & { teamId: string; eventCursor: bigint };

/**
 * Pulls a host's journal after its cursor and applies each event once: the (hostId, seq)
 * key makes a re-pulled event a no-op, so a retried pull or two ingesting control planes
 * never double-record. Acknowledges what was stored so the agent can compact. Events of another
 * team's runs are skipped, not stored: the tick lets only the row that holds the agent's identity
 * ingest, and this keeps even a row of an agent without one from copying them into its own team.
 */
export async function ingestHostEvents({ prisma, connections, host, batch = 500 }: { prisma: PrismaClient; connections: HostConnections; host: Host; batch?: number }): Promise<number> {
  const agent = connections.get(host);
  let cursor = Number(host.eventCursor);
  let ingested = 0;
  for (;;) {
    const { events } = await agent.request("events.pull", { afterSeq: cursor, limit: batch });
    if (!events.length) break;
    const stored: Date[] = [];
    await prisma.$transaction(async (tx) => {
      // The runs these events touch are locked up front, in id order, before the audit
      // chain's head: taking a run's lock while holding the head would deadlock against a
      // dispatcher that holds that run and waits for the head.
      const runIds = [...new Set(events.map((event) => event.runId).filter((id): id is string => Boolean(id)))].sort();
      const runs = runIds.length ? await tx.$queryRaw<{ id: string; teamId: string }[]>`SELECT id, "teamId" FROM "Run" WHERE id = ANY(${runIds}) ORDER BY id FOR UPDATE` : [];
      const otherTeams = new Set(runs.filter((run) => run.teamId !== host.teamId).map((run) => run.id));
      // The host row next, still before the head, for the same reason: placement locks hosts and
      // then waits for the head, so updating the cursor after an audit append deadlocked against it.
      await tx.$executeRaw`UPDATE "Host" SET "eventCursor" = GREATEST("eventCursor", ${events.at(-1)!.seq}), "lastSeenAt" = now() WHERE id = ${host.id}`;
      for (const event of events) {
        // Another team's run: its events are that team's to read, never written under this host.
        if (event.runId && otherTeams.has(event.runId)) continue;
        const inserted = await tx.$queryRaw<{ id: bigint }[]>`
          INSERT INTO "HostEvent" ("hostId", seq, "runId", type, payload, "occurredAt")
          VALUES (${host.id}, ${event.seq}, ${event.runId ?? null}, ${event.type}, ${JSON.stringify(event.data)}::jsonb, ${new Date(event.at)})
          ON CONFLICT ("hostId", seq) DO NOTHING RETURNING id`;
        if (inserted.length) {
          await applyEvent(tx, host, event);
          ingested += 1;
          stored.push(new Date(event.at));
        }
      }
    });
    observeEventsIngested(stored);
    cursor = events.at(-1)!.seq;
    await agent.request("events.ack", { seq: cursor });
    if (events.length < batch) break;
  }
  return ingested;
}

async function applyEvent(tx: Prisma.TransactionClient, host: Host, event: AgentEvent): Promise<void> {
  const runId = event.runId;
  // Whatever pulled it (a run or a pre-pull), the host's image list is out of date now.
  if (event.type === "image.pulled") await markCachedImagesStale(tx, host.id);
  // Progress comes about once a second per pull, and egress.allowed once per connection: kept
  // in HostEvent and on the run (RunEgress), not in the audit chain. Each denial is audited.
  const audited = event.type !== "image.pull_progress" && event.type !== "egress.allowed";
  const run = runId
    ? await tx.run.findUnique({ where: { id: runId }, select: { id: true, teamId: true, state: true, stateReason: true, stopRequestedAt: true, hostId: true, spec: true, resultsState: true } })
    : null;
  if (run && run.hostId === host.id) {
    if (audited) {
      await appendAuditEvent(tx, {
        teamId: run.teamId,
        actorType: "agent",
        actorId: host.id,
        action: `agent.${event.type}`,
        targetType: "run",
        targetId: run.id,
        runId: run.id,
        hostId: host.id,
        data: { seq: event.seq, ...event.data },
      });
    }
    const agent = { actorType: "agent" as const, actorId: host.id };
    // The agent's journal can be ingested before the dispatcher records the start (a short
    // run may even have exited): the events then move the run through `running` themselves.
    if (event.type === "container.started") {
      const containerId = typeof event.data.containerId === "string" ? event.data.containerId : undefined;
      await transitionRun(tx, { runId: run.id, from: ["provisioning"], to: "running", reason: "started on the agent", actor: agent, ...(containerId ? { data: { containerId } } : {}) });
    } else if (event.type === "container.exited") {
      const exitCode = typeof event.data.exitCode === "number" ? event.data.exitCode : null;
      const timeout = await timeoutOf(tx, host.id, run);
      // Timed out whatever code it exited with (the engine's code is kept in exitCode); stopped by the user: cancelled.
      const to = timeout ? "timed_out" : run.stopRequestedAt ? "cancelled" : exitCode === 0 ? "succeeded" : "failed";
      if (run.state === "provisioning") await transitionRun(tx, { runId: run.id, from: ["provisioning"], to: "running", reason: "started on the agent", actor: agent });
      const reason = timeout ? timedOutReason(timeout.timeoutSeconds) : `exit code ${exitCode}`;
      // Its results are stored first (results shipper); the run takes `to` once they are.
      if (await holdForResults(tx, { ...run, state: run.state === "provisioning" ? "running" : run.state }, { to, reason, exitCode })) return;
      await transitionRun(tx, { runId: run.id, from: ["running", "stopping"], to, reason, actor: agent, data: { exitCode } });
    } else if (event.type === "run.failed") {
      const reason = runFailedReason(run.id, event.data);
      if (await holdForResults(tx, run, { to: "failed", reason })) return;
      await transitionRun(tx, { runId: run.id, from: [...activeRunStates], to: "failed", reason, actor: agent, data: resultsNeverMade(run.spec, reason) });
    } else if (event.type === "run.timed_out") {
      // The agent is stopping it now; the run ends timed_out at its container.exited. A run the user already stopped keeps its reason.
      await tx.run.updateMany({ where: { id: run.id, state: "running", stopRequestedAt: null }, data: { stateReason: timedOutReason(event.data.timeoutSeconds) } });
    } else if (event.type === "network.created" || event.type === "network.removed") {
      // Every run has a network, and a short run's removal may be ingested before the dispatcher
      // records the network: whichever comes first makes the row, and a removal is never undone.
      const name = typeof event.data.name === "string" ? event.data.name : `bailey-${run.id}`;
      const networkId = typeof event.data.networkId === "string" ? event.data.networkId : null;
      const removedAt = event.type === "network.removed" ? new Date(event.at) : null;
      await tx.network.upsert({
        where: { runId_name: { runId: run.id, name } },
        update: { ...(networkId ? { networkId } : {}), ...(removedAt ? { removedAt } : {}) },
        create: { runId: run.id, hostId: host.id, name, networkId, removedAt },
      });
    } else if (imageEventTypes.has(event.type)) {
      await applyRunImageEvent(tx, run.id, event);
    } else if (resultEventTypes.has(event.type)) {
      await applyRunResultEvent(tx, run.id, event);
    } else if (egressEventTypes.has(event.type)) {
      await applyRunEgressEvent(tx, run.id, event);
    } else if (event.type === "sidecar.stopped") {
      await tx.sidecar.updateMany({ where: { runId: run.id, role: String(event.data.role ?? "buildkit") }, data: { removedAt: new Date(event.at), state: "stopped" } });
    }
  } else if (audited) {
    await appendAuditEvent(tx, {
      teamId: host.teamId,
      actorType: "agent",
      actorId: host.id,
      action: `agent.${event.type}`,
      targetType: "host",
      targetId: host.id,
      hostId: host.id,
      ...(runId ? { runId } : {}),
      data: { seq: event.seq, ...event.data },
    });
  }
}

/** A run's timeout as its reason; the exit code the engine reported stays in exitCode. */
export function timedOutReason(timeoutSeconds: unknown): string {
  return `timed out after ${String(timeoutSeconds)} s`;
}

/**
 * The agent's timeout of this run (its run.timed_out, journaled before the container's exit), when
 * it counts: a stop the user asked for before the control plane learned of the timeout wins (the
 * run is cancelled even if the timeout fired on the agent meanwhile); one asked for after it, while
 * the timed-out container was being stopped, does not.
 */
async function timeoutOf(tx: Prisma.TransactionClient, hostId: string, run: { id: string; stopRequestedAt: Date | null }): Promise<{ timeoutSeconds: unknown } | null> {
  const event = await tx.hostEvent.findFirst({ where: { hostId, runId: run.id, type: "run.timed_out" }, orderBy: { seq: "asc" }, select: { payload: true, ingestedAt: true } });
  if (!event) return null;
  if (run.stopRequestedAt && run.stopRequestedAt <= event.ingestedAt) return null;
  return { timeoutSeconds: (event.payload as { timeoutSeconds?: unknown } | null)?.timeoutSeconds };
}

/** Why the agent failed a run, as the run's state reason: a failed build says so, as dispatch's refusal of run.create does. */
export function runFailedReason(runId: string, data: Record<string, unknown>): string {
  const error = String(data.error ?? "failed on the agent");
  return data.during === "build" ? `Building run ${runId}'s image failed (its build output is in the run's logs): ${error}` : error;
}
