import { z } from "zod";
import { RunState } from "@bailey/db";
import { pullProgress } from "./images";
import { cuid, int64, jsonValue, timestamp } from "./json-types";

export const runState = z.enum(RunState);

/** What `createRun` answers with: the queued run and its stored spec. */
export const createdRun = z
  .object({ id: cuid, name: z.string().nullable(), state: runState, image: z.string().nullable(), hostId: z.string().nullable(), createdAt: timestamp, spec: jsonValue })
  .loose();

export const ignoredField = z.object({ field: z.string(), reason: z.string() });

export const createRunOutput = z.object({
  run: createdRun,
  /** false: an Idempotency-Key retry found the first run. */
  created: z.boolean(),
  /** moat.yaml fields Bailey does not support yet, each with why (never dropped silently). */
  ignored: z.array(ignoredField),
});

export const runSummary = z
  .object({
    id: cuid,
    name: z.string().nullable(),
    image: z.string().nullable(),
    state: runState,
    hostId: z.string().nullable(),
    createdById: z.string().nullable(),
    apiTokenId: z.string().nullable(),
    createdAt: timestamp,
    startedAt: timestamp.nullable(),
    finishedAt: timestamp.nullable(),
    exitCode: z.number().int().nullable(),
    timeoutSeconds: z.number().int().nullable().describe("The run's timeout; a run that hits it ends timed_out"),
    waitReason: z.string().nullable().describe("Why a queued run is not placed yet, refreshed by the scheduler; null once placed"),
    waitReasonAt: timestamp.nullable().describe("Since when the run has waited for this reason"),
    unplaceableSince: timestamp.nullable().describe("Since when no host of the team could ever take it; it fails after the team's unplaceableTimeoutSeconds"),
    host: z.object({ name: z.string() }).nullable(),
  })
  .loose();

export const listRunsOutput = z.object({ runs: z.array(runSummary), nextCursor: z.string().nullable() });

const transition = z.object({ id: int64, runId: cuid, fromState: runState.nullable(), toState: runState, reason: z.string().nullable(), at: timestamp }).loose();
const sidecar = z
  .object({ id: cuid, role: z.string(), name: z.string(), image: z.string(), containerId: z.string().nullable(), state: z.string(), createdAt: timestamp, removedAt: timestamp.nullable() })
  .loose();
const network = z.object({ id: cuid, name: z.string(), networkId: z.string().nullable(), createdAt: timestamp, removedAt: timestamp.nullable() }).loose();

const buildStep = z.object({
  seq: z.number().int().describe("The event's place in its host's journal"),
  type: z.enum(["build.started", "build.builder", "build.finished", "build.failed"]),
  at: timestamp,
  builder: z.string().nullable().describe("buildkit-endpoint, engine-buildkit or legacy"),
  reason: z.string().nullable().describe("Why this builder was chosen (build.builder)"),
  durationMs: z.number().nullable().describe("How long the build took (build.finished)"),
  message: z.string().nullable().describe("The build's error (build.failed)"),
});

/** A run with its timeline, host, sidecars and network. */
export const runDetail = z
  .object({
    id: cuid,
    teamId: cuid,
    hostId: z.string().nullable(),
    createdById: z.string().nullable(),
    apiTokenId: z.string().nullable(),
    name: z.string().nullable(),
    spec: jsonValue,
    specFormat: z.string(),
    image: z.string().nullable(),
    command: z.array(z.string()),
    dependencies: z.array(z.string()),
    sandbox: z.enum(["gvisor", "none"]),
    placement: jsonValue,
    cpus: z.number().nullable(),
    memoryBytes: int64.nullable(),
    pidsLimit: z.number().int().nullable(),
    timeoutSeconds: z.number().int().nullable(),
    state: runState,
    stateReason: z.string().nullable(),
    exitCode: z.number().int().nullable(),
    containerId: z.string().nullable(),
    lastError: z.string().nullable(),
    waitReason: z.string().nullable().describe("Why a queued run is not placed yet, refreshed by the scheduler; null once placed"),
    waitReasonAt: timestamp.nullable().describe("Since when the run has waited for this reason"),
    unplaceableSince: timestamp.nullable().describe("Since when no host of the team could ever take it; it fails after the team's unplaceableTimeoutSeconds"),
    /** The digest (sha256:…) the image resolved to on the host; null until the agent reports it. */
    imageDigest: z.string().nullable(),
    /** The pull of the image while the run provisions; null when none was reported. */
    pullProgress: pullProgress.nullable(),
    warmPoolId: z.string().nullable().describe("The warm pool whose pre-started container the run claimed (a warm start); null for a cold start"),
    createdAt: timestamp,
    scheduledAt: timestamp.nullable(),
    startedAt: timestamp.nullable(),
    finishedAt: timestamp.nullable(),
    transitions: z.array(transition),
    host: z.object({ id: cuid, name: z.string(), status: z.string() }).nullable(),
    sidecars: z.array(sidecar),
    networks: z.array(network),
    buildSteps: z
      .array(buildStep)
      .describe(
        "How the run's image was built from its Dockerfile on the host (spec.build): the builders tried and why, then how long it took or the build's error; empty for a run that names an image",
      ),
    resultsState: z.string().describe("The run's results (GET /runs/{id}/results): none asked for, pending (the run keeps its state, collecting results, until they are stored), complete or partial"),
    endedState: runState.nullable().describe("What the run's end said it is, while its results are stored; it takes this state once they are"),
    endedReason: z.string().nullable(),
    baseCommit: z.string().nullable().describe("The commit its workspace was cloned at"),
    headCommit: z.string().nullable().describe("HEAD of its workspace when it ended"),
    pushedBranch: z.string().nullable().describe("spec.push's branch, once pushed"),
    pushedCommit: z.string().nullable(),
    blobsExpiredAt: timestamp.nullable().describe("When the team's retention removed its stored logs and results (the record stays)"),
    redactedEnv: z
      .array(z.string())
      .describe("Names in spec.env whose values are shown as [redacted]: they look like credentials and the caller is a viewer or a token without runs:write. Use team secrets for real credentials."),
  })
  .loose();

export const runOutput = z.object({ run: runDetail });

/** The run and the container, sidecar and network ids its host removed. */
export const destroyRunOutput = z.object({ runId: cuid, removed: z.array(z.string()) });

export const runLogsOutput = z.object({ text: z.string(), truncated: z.boolean(), state: runState });

export const runEgressEntry = z.object({
  host: z.string(),
  port: z.number().int(),
  decision: z.enum(["allowed", "denied"]),
  via: z.string().nullable().describe('The grant whose credential was injected, or "allow" (network.allow); null for a denial'),
  reason: z.string().nullable().describe("Why the proxy refused (denials only): it names the setting that would allow it"),
  connections: z.number().int().describe("Connections (or plain-HTTP requests) with this outcome"),
  bytesIn: z.number().describe("Bytes the run received, on the run's side of the proxy"),
  bytesOut: z.number().describe("Bytes the run sent"),
  firstAt: timestamp,
  lastAt: timestamp,
});

export const runEgressOutput = z.object({
  egress: z.array(runEgressEntry).describe("One entry per host, port and decision: denials first, then the most recent first"),
  totals: z.object({ allowed: z.number().int(), denied: z.number().int() }).describe("Connections allowed and denied"),
});

const runResultFile = z.object({
  name: z.string().describe("diff.patch, commits.bundle, or artifacts/<path relative to the workdir>"),
  kind: z.enum(["diff", "bundle", "artifact"]),
  sizeBytes: z.number().int(),
  sha256: z.string().describe("Lower-case hex SHA-256 of the file's bytes (downloads carry it in x-content-sha256)"),
  stored: z.boolean().describe("Every byte is in Bailey's blob store and downloads; false while it ships from the host, or after retention removed it"),
});

/** A run's results as the control plane stored them (issue 16). */
export const runResultsOutput = z.object({
  state: z
    .enum(["none", "pending", "complete", "partial"])
    .describe("none: the spec asks for no results; pending: the run has not ended or its results are shipping; complete; partial: `missing` says what and why"),
  missing: z.array(z.object({ name: z.string(), reason: z.string() })),
  files: z.array(runResultFile),
  baseCommit: z.string().nullable().describe("The commit the workspace was cloned at"),
  headCommit: z.string().nullable().describe("HEAD of the workspace when the run ended"),
  pushed: z.object({ branch: z.string(), commit: z.string() }).nullable().describe("spec.push's branch and the commit pushed to it"),
  workspace: z.object({ git: z.string().nullable(), ref: z.string().nullable() }).nullable(),
  logs: z.object({ storedBytes: z.number().int(), complete: z.boolean() }).describe("The run's output stored durably, and whether all of it is"),
  expiredAt: timestamp.nullable().describe("When the team's retention removed the stored logs and results"),
  retentionDays: z.number().int(),
});

export const runArtifactsOutput = z.object({
  artifacts: z.array(runResultFile.extend({ path: z.string().describe("The artifact's path relative to the workdir: GET /runs/{id}/artifacts/{path} downloads it") })),
});
