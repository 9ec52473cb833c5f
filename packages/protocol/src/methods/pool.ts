import { z } from "zod";
import { imageReference, type RunSpec, runSpec } from "./run";

/** A pool's id: the control plane's name for it, also part of its containers' names and labels. */
export const poolId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, "must be 1-63 lower-case letters, digits and -, starting with a letter or digit");

const poolSandbox = runSpec.shape.sandbox;
/** The run spec's resources without the timeout: a timeout is the run's own, applied per exec. */
const poolResources = runSpec.shape.resources.unwrap().omit({ timeoutSeconds: true }).strict().default({});

/**
 * One warm pool on a host: `size` containers of `image`, created and started ahead and idle,
 * each claimed by exactly one matching run and never reused. Without `idleCommand` an idle
 * container's main process is the image's `/bin/sh` waiting for the run's command on its stdin
 * (the agent's launcher: a claimed run starts without an exec); with it, that command idles and
 * the run's command is exec'd beside it.
 */
export const poolSpec = z
  .object({
    poolId,
    image: imageReference,
    sandbox: poolSandbox,
    resources: poolResources,
    size: z.number().int().min(0).max(50),
    idleCommand: z.array(z.string().min(1).max(4096)).min(1).max(64).optional(),
  })
  .strict();
export type PoolSpec = z.infer<typeof poolSpec>;
export type PoolSpecInput = z.input<typeof poolSpec>;

export const poolStatus = z.object({
  poolId,
  image: z.string(),
  /** The content digest the host resolved the image to when the pool last filled; null before that. */
  imageDigest: z.string().nullable(),
  sandbox: poolSandbox,
  size: z.number().int(),
  /** Containers started and waiting for a run. */
  idle: z.number().int(),
  /** Containers being created or started. */
  starting: z.number().int(),
  /** Runs that claimed a container of this pool since the agent started. */
  claimedTotal: z.number().int(),
  /** Why the pool last failed to fill (image not pullable, sandbox unavailable…); null once it fills again. */
  lastError: z.string().nullable(),
});
export type PoolStatus = z.infer<typeof poolStatus>;

export const poolMethods = {
  /** The desired pools of this host (idempotent): pools not listed are drained; filling and trimming happen in the background. */
  "pool.configure": {
    params: z
      .object({
        pools: z
          .array(poolSpec)
          .max(64)
          .refine((pools) => new Set(pools.map((pool) => pool.poolId)).size === pools.length, "pool ids must be unique"),
      })
      .strict(),
    result: z.object({ pools: z.array(poolStatus) }),
  },
  "pool.status": { params: z.object({}).strict(), result: z.object({ pools: z.array(poolStatus) }) },
} as const;

const sameResources = (a: PoolSpec["resources"], b: RunSpec["resources"]) => a.cpus === b.cpus && a.memoryBytes === b.memoryBytes && a.pids === b.pids;

/**
 * Whether a run can take a container of this pool: the same image reference, sandbox and
 * resources (the timeout aside), and nothing a container started ahead cannot be given — no
 * build, workspace (so no artifacts or push), dependencies, egress proxy (strict policy, allow
 * list, grants), secret files, nor a pull the run wants done afresh. Its command, env, secrets
 * as env, user, workdir, tty and timeout are given to it per exec.
 */
export function warmPoolMatch(spec: RunSpec, pool: Pick<PoolSpec, "image" | "sandbox" | "resources">): boolean {
  return (
    spec.image === pool.image &&
    spec.sandbox === pool.sandbox &&
    sameResources(pool.resources, spec.resources) &&
    spec.build === undefined &&
    spec.workspace === undefined &&
    spec.artifacts.length === 0 &&
    spec.push === undefined &&
    spec.dependencies.length === 0 &&
    spec.network?.policy !== "strict" &&
    (spec.network?.allow.length ?? 0) === 0 &&
    spec.grants.length === 0 &&
    spec.secretFiles.length === 0 &&
    spec.pullPolicy !== "always"
  );
}
