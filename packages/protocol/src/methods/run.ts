import { z } from "zod";
import { runBuild } from "./build";
import { grantCredential, grantName, runNetwork } from "./egress";

import { runId } from "./ids";
import { artifactGlob, runPush, runUser, runWorkspace } from "./results";

export { runId };

const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be a valid environment variable name");
const noNul = z.string().refine((value) => !value.includes("\0"), "must not contain NUL bytes");

// Docker's reference grammar: [registry[:port]/]path[:tag][@digest]. Checked here so that no
// string that is not an image name (spaces, shell syntax, "../") reaches an engine at all.
const pathComponent = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
const imageReferencePattern = new RegExp(
  `^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?/)?${pathComponent}(?:/${pathComponent})*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?$`,
);
export const imageReference = z.string().min(1).max(512).regex(imageReferencePattern, "must be an image reference such as busybox, ghcr.io/org/app:1.2 or app@sha256:<digest>");

export const dependency = z.enum(["docker:host", "docker:dind"], {
  error: (issue) =>
    issue.input === "docker"
      ? 'a bare "docker" dependency is ambiguous: use "docker:host" (the host\'s own engine socket, shared) or "docker:dind" (a BuildKit sidecar on the run\'s network and a privileged container; no Docker engine unless the image brings one)'
      : 'must be "docker:host" or "docker:dind"',
});

/**
 * When the agent pulls a run's image: `if-not-present` (the default) only when the host lacks
 * it, `always` before every run (a moving tag then resolves afresh), `never` (a missing image fails).
 */
export const pullPolicy = z.enum(["if-not-present", "always", "never"]);
export type PullPolicy = z.infer<typeof pullPolicy>;

/**
 * Credentials for one registry, sent only inside the request that needs them (never part of a
 * spec, so never in the agent's run store or journal). `registry` is the host[:port] they are for.
 */
export const registryAuth = z
  .object({
    registry: z.string().min(1).max(255),
    username: z.string().min(1).max(255),
    password: z
      .string()
      .min(1)
      .max(16 * 1024),
  })
  .strict();
export type RegistryAuth = z.infer<typeof registryAuth>;

/** A team secret's name: env-var-like and safe as a file name under /run/secrets. */
export const secretNamePattern = /^[A-Za-z_][A-Za-z0-9_-]{0,63}$/;
const secretName = z.string().regex(secretNamePattern, "must be a secret name: a letter or _ first, then letters, digits, _ or - (up to 64)");
/** The largest secret value, in bytes of UTF-8 (the control plane refuses larger ones when they are saved). */
export const maxSecretValueBytes = 64 * 1024;

/**
 * Values for what a spec names, sent only inside `run.create` (never part of the spec, so never
 * in its hash, the agent's run store or journal). `secrets` maps a secret's name to its value.
 */
export const runCredentials = z
  .object({
    secrets: z.record(secretName, z.string().max(maxSecretValueBytes)).default({}),
    /** The grants the spec names, with their secrets' values, for the run's egress proxy. */
    grants: z.array(grantCredential).max(32).optional(),
  })
  .strict();
export type RunCredentials = z.infer<typeof runCredentials>;

export const runSpec = z
  .object({
    image: imageReference,
    pullPolicy: pullPolicy.default("if-not-present"),
    command: z
      .array(noNul.max(64 * 1024))
      .max(1024)
      .optional(),
    env: z.record(envName, noNul.max(128 * 1024)).default({}),
    /** ENV_NAME → secret name: the secret's value (from `run.create`'s credentials) goes in that variable. */
    secrets: z.record(envName, secretName).default({}),
    /** Secret names whose values are files at /run/secrets/<name>, read-only. */
    secretFiles: z.array(secretName).max(64).default([]),
    /** Grant names: the run's egress proxy injects each grant's credential into requests to its hosts. */
    grants: z.array(grantName).max(32).default([]),
    /** Egress policy; absent means open with no proxy unless the run has grants. */
    network: runNetwork.optional(),
    /** The container's working directory; a workspace run's workspace is mounted here (default /workspace). */
    workdir: noNul.max(4096).regex(/^\//, "must be an absolute path").optional(),
    /** Clone this repository on the host and mount it at the workdir, owned by the run's user. */
    workspace: runWorkspace.optional(),
    /** uid[:gid] the main container runs as; a workspace run defaults to defaultWorkspaceUser, others to the image's user. */
    user: runUser.optional(),
    /** Files (globs relative to the workdir) kept as the run's artifacts when it ends. */
    artifacts: z.array(artifactGlob).max(64).default([]),
    /** Push the run's commits to this branch when it ends; needs a workspace. */
    push: runPush.optional(),
    /**
     * Give the main process a terminal and keep its stdin open, for interactive agents: attach
     * to it with exec.open {attach: true}. Its output is then one stream (no stdout/stderr split).
     */
    tty: z.boolean().default(false),
    dependencies: z.array(dependency).max(2).default([]),
    sandbox: z.enum(["gvisor", "none"]).default("gvisor"),
    resources: z
      .object({
        // The engines' own floors (Docker: --cpus from 0.01, memory from 6 MiB), so a bad limit is refused here and not by the engine mid-create.
        cpus: z.number().min(0.01, "must be at least 0.01").max(256).optional(),
        memoryBytes: z
          .number()
          .int()
          .min(6 * 1024 ** 2, "must be at least 6 MiB (6291456)")
          .optional(),
        pids: z.number().int().min(16).max(1_000_000).optional(),
        timeoutSeconds: z
          .number()
          .int()
          .positive()
          .max(7 * 24 * 3600)
          .optional(),
      })
      .default({}),
    labels: z.record(z.string().regex(/^[a-z0-9.\-_/]{1,128}$/, "label keys are lower-case letters, digits and . - _ /"), noNul.max(1024)).default({}),
    buildkitImage: imageReference.optional(),
    /** Build `image` (then always `buildImageTag(runId)`) from this before running it; see build.ts. */
    build: runBuild.optional(),
  })
  .strict();

export type RunSpec = z.infer<typeof runSpec>;

export const agentRunState = z.enum(["created", "provisioning", "running", "stopping", "exited", "failed", "timed_out", "destroyed"]);
export type AgentRunState = z.infer<typeof agentRunState>;

export const agentRun = z.object({
  runId,
  state: agentRunState,
  containerId: z.string().nullable(),
  networkId: z.string().nullable(),
  networkName: z.string().nullable(),
  sidecars: z.array(z.object({ role: z.string(), name: z.string(), containerId: z.string(), image: z.string().optional() })),
  exitCode: z.number().int().nullable(),
  error: z.string().nullable(),
  /** The image's content digest (`sha256:…`) as the engine resolved it for this run; null before it is known. */
  imageDigest: z.string().nullable().default(null),
  /** Set when the run claimed a warm pool's container (see methods/pool.ts) instead of having one created for it. */
  warm: z.object({ poolId: z.string() }).optional(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
});
export type AgentRun = z.infer<typeof agentRun>;

export const runMethods = {
  // registryAuth: for the registry of spec.image, when the team has credentials for it.
  // credentials: the values of the secrets the spec names.
  "run.create": { params: z.object({ runId, spec: runSpec, registryAuth: registryAuth.optional(), credentials: runCredentials.optional() }).strict(), result: agentRun },
  "run.start": { params: z.object({ runId }).strict(), result: agentRun },
  "run.stop": { params: z.object({ runId, graceSeconds: z.number().int().min(0).max(3600).default(10) }).strict(), result: agentRun },
  "run.destroy": { params: z.object({ runId }).strict(), result: z.object({ runId, removed: z.array(z.string()) }) },
  "run.inspect": { params: z.object({ runId }).strict(), result: agentRun },
  "run.logs": {
    params: z.object({ runId, follow: z.boolean().default(false), since: z.string().datetime().optional(), tail: z.number().int().min(0).optional() }).strict(),
    result: z.object({ bytes: z.number().int() }),
  },
  "run.exec": {
    params: z.object({ runId, command: z.array(noNul).min(1).max(1024), tty: z.boolean().default(false) }).strict(),
    result: z.object({ exitCode: z.number().int(), stdout: z.string(), stderr: z.string() }),
  },
} as const;
