import { z } from "zod";
import { maxPoolSize } from "@bailey/core";
import { cuid, timestamp } from "./json-types";

const sandbox = z.enum(["gvisor", "none"]).describe("The sandbox its containers run under, as a run's spec says it; a run must ask for the same to claim one");
const resources = z
  .object({
    cpus: z.number().optional(),
    memoryBytes: z.number().int().optional(),
    pids: z.number().int().optional(),
  })
  .strict()
  .describe("The run spec's resources without timeoutSeconds (each run's own timeout applies): a run must ask for exactly these to claim a container");
const size = z
  .number()
  .int(`A pool's size is a whole number from 0 to ${maxPoolSize}`)
  .min(0, `A pool's size is a whole number from 0 to ${maxPoolSize}`)
  .max(maxPoolSize, `A pool's size is a whole number from 0 to ${maxPoolSize}`)
  .describe("How many started, idle containers the host keeps ready");
const idleCommand = z
  .array(z.string())
  .max(64)
  .describe(
    "What idle containers run until claimed (a claimed run's command is then exec'd beside it); empty or absent: Bailey's launcher, the image's /bin/sh waiting for the run's command on its stdin (no exec: the fastest start; needs /bin/sh in the image)",
  );

/** A warm pool with what its host last reported about it. */
export const warmPool = z.object({
  id: cuid,
  hostId: cuid,
  hostName: z.string(),
  image: z.string(),
  sandbox,
  resources: z.object({ cpus: z.number().optional(), memoryBytes: z.number().optional(), pids: z.number().optional() }),
  size: z.number().int(),
  idleCommand: z.array(z.string()),
  status: z
    .object({
      idle: z.number().int().describe("Containers started and waiting for a run"),
      starting: z.number().int().describe("Containers being created or started (refilling)"),
      claimedTotal: z.number().int().describe("Runs that took a container since the agent started"),
      lastError: z.string().nullable().describe("Why the pool last failed to fill; null once it fills"),
      imageDigest: z.string().nullable(),
    })
    .nullable()
    .describe("The host's last report for this pool; null until its agent has reported it (or when its agent has no pools)"),
  statusAt: timestamp.nullable(),
  createdBy: z.object({ id: cuid, email: z.string(), name: z.string().nullable() }).nullable(),
  createdAt: timestamp,
  updatedAt: timestamp,
});

export const warmPoolsOutput = z.object({ pools: z.array(warmPool) });
export const warmPoolOutput = z.object({ pool: warmPool });

export const listWarmPoolsInput = z
  .object({ hostId: cuid.optional().describe("Only this host's pools") })
  .strict()
  .optional();

export const createWarmPoolInput = z
  .object({
    hostId: cuid.describe("The team's host the pool is on"),
    image: z.string().min(1, "Name the pool's image").max(512).describe("The image reference, exactly as runs name it"),
    sandbox: sandbox.default("gvisor"),
    resources: resources.optional(),
    size,
    idleCommand: idleCommand.optional(),
  })
  .strict();

export const updateWarmPoolInput = z
  .object({
    id: cuid,
    image: z.string().min(1).max(512).optional(),
    sandbox: sandbox.optional(),
    resources: resources.optional(),
    size: size.optional(),
    idleCommand: idleCommand.nullable().optional().describe("Omit to keep it; null or [] for the default"),
  })
  .strict();
