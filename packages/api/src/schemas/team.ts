import { z } from "zod";

const role = z.enum(["owner", "admin", "member", "viewer"]);
/** The longest default timeout a team may set: a week, as a spec's own timeout. */
const maxTimeoutSeconds = 7 * 24 * 3600;

export const runPolicy = z.object({
  minRoleDockerHost: role.describe("The least role that may submit docker:host runs (the host's engine socket: root on the host)"),
  minRoleDockerDind: role.describe("The least role that may submit docker:dind runs (a privileged container and a BuildKit sidecar; no Docker engine unless the image brings one)"),
  minRoleSandboxNone: role.describe('The least role that may submit sandbox: "none" runs (no gVisor)'),
  defaultRunTimeoutSeconds: z.number().int().min(1).max(maxTimeoutSeconds).describe("Applied to a run whose spec sets no resources.timeoutSeconds"),
  maxQueuedRuns: z.number().int().min(1).max(100_000).describe("A submission while this many runs are queued is refused with 429"),
  unplaceableTimeoutSeconds: z
    .number()
    .int()
    .min(30, "must be at least 30 seconds (900 is 15 minutes)")
    .max(maxTimeoutSeconds, "must be at most 604800 seconds (7 days)")
    .describe("A queued run that no host of the team could ever take (labels, gVisor, BAILEY_ALLOW, no hosts) fails after this many seconds (30 s to 7 days)"),
  defaultEgressPolicy: z
    .enum(["open", "strict"])
    .describe(
      'The egress policy of a run whose spec sets no network.policy: "open" (the network as any container has it) or "strict" (only granted hosts and network.allow, through the egress proxy)',
    ),
  blobRetentionDays: z
    .number()
    .int()
    .min(1, "must be at least 1 day")
    .max(3650, "must be at most 3650 days (10 years)")
    .describe(
      "Stored logs and results (diff, bundle, artifacts) of runs that finished longer ago than this many days are removed by a scheduled clean-up; the runs' records stay (1-3650, default 30)",
    ),
});

export const runPolicyOutput = z.object({ policy: runPolicy });

/** A PATCH: only the fields given change; viewers can never submit, so they are no choice here. */
export const updateRunPolicyInput = z
  .object({
    minRoleDockerHost: role.exclude(["viewer"]).optional(),
    minRoleDockerDind: role.exclude(["viewer"]).optional(),
    minRoleSandboxNone: role.exclude(["viewer"]).optional(),
    defaultRunTimeoutSeconds: runPolicy.shape.defaultRunTimeoutSeconds.optional(),
    maxQueuedRuns: runPolicy.shape.maxQueuedRuns.optional(),
    unplaceableTimeoutSeconds: runPolicy.shape.unplaceableTimeoutSeconds.optional(),
    defaultEgressPolicy: runPolicy.shape.defaultEgressPolicy.optional(),
    blobRetentionDays: runPolicy.shape.blobRetentionDays.optional(),
  })
  .strict()
  .refine((changes) => Object.keys(changes).length > 0, "Give at least one policy field to change.");

export const teamStorageOutput = z.object({
  storageBytes: z.number().int().describe("Bytes the team's runs hold in Bailey's blob store: stored logs and results of runs retention has not removed"),
  blobRetentionDays: z.number().int().describe("How many days after a run finishes its stored logs and results are kept"),
});
