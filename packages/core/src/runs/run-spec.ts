import { runSpec as agentRunSpec, type RunSpec as AgentRunSpec, artifactGlob, buildImageTag, egressPolicy, hostPatternSource, runBuild, runPush, runUser, runWorkspace } from "@bailey/protocol";
import { z } from "zod";
import { AppError } from "../errors";

const memoryPattern = /^(\d+(?:\.\d+)?)\s*([kmgt]i?b?|b)?$/i;
const memoryUnits: Record<string, number> = { "": 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

/** `512m`, `2g`, `2GiB` or a byte count. */
export function parseMemory(value: string | number): number {
  if (typeof value === "number") return value;
  const match = memoryPattern.exec(value.trim());
  if (!match) throw new Error(`"${value}" is not a size; use e.g. 512m or 2g`);
  return Math.round(Number(match[1]) * (memoryUnits[(match[2] ?? "").toLowerCase().charAt(0)] ?? 1));
}

/**
 * The least memory a run starts with: Docker refuses a limit under 6 MiB, and runsc's own
 * sandbox needs about 14 MiB inside the limit (12m fails to start here, 14m starts).
 */
export const minimumMemoryBytes = { none: 6 * 1024 ** 2, gvisor: 16 * 1024 ** 2 } as const;
/** Docker's --cpus range starts at 0.01. */
export const minimumCpus = 0.01;

const labelSelector = z.record(z.string().regex(/^[a-z0-9.\-_/]{1,63}$/, "label keys are lower-case letters, digits and . - _ /"), z.string().max(63));

/** A run as a user submits it (JSON or, later, YAML): validated, then stored exactly as given. */
export const submittedRunSpec = z
  .object({
    name: z.string().min(1).max(100).optional(),
    /** The image to run; a build run names none (see `build`), and its stored spec has `buildImageTag(runId)`. */
    image: z.string().min(1).max(512).optional(),
    /** Build the run's image from a Dockerfile on its host instead of naming one (issue 20). */
    build: runBuild
      .optional()
      .describe(
        "Build the run's image on its host instead of naming one (not with image): dockerfileInline (the Dockerfile's text), or context (the sha256 of a tar uploaded with POST /build-contexts) with dockerfile (its path in the tar, default Dockerfile); target and args as for docker build. The host builds with BuildKit (a BuildKit endpoint, the engine's own, else the legacy builder; Buildah on Podman) and runs the image, tagged bailey-build/<run id>:latest, never pulled; the run's timeline shows the builder and its logs the build.",
      ),
    pullPolicy: z.enum(["if-not-present", "always", "never"]).default("if-not-present"),
    command: z.array(z.string()).max(1024).optional(),
    env: z.record(z.string(), z.string()).default({}),
    /** ENV_NAME → the name of a team secret (Secrets page): its value is put in that variable. */
    secrets: z.record(z.string(), z.string()).default({}),
    /** Team secret names, each put in the file /run/secrets/<name>, read-only. */
    secretFiles: z.array(z.string()).max(64).default([]),
    /** Team grant names: the run's egress proxy injects each grant's credential into requests to its hosts. */
    grants: z.array(z.string()).max(32).default([]),
    /** Egress policy; createRun writes the team's default policy in when the spec names none. */
    network: z
      .object({
        policy: egressPolicy.optional(),
        allow: z.array(hostPatternSource).max(256).default([]),
      })
      .strict()
      .optional(),
    workdir: z
      .string()
      .max(4096)
      .regex(/^\/[^\0]*$/, "must be an absolute path, e.g. /workspace")
      .optional()
      .describe("The container's working directory; a workspace is mounted here (default /workspace)"),
    workspace: runWorkspace
      .optional()
      .describe(
        "A per-run directory on the host mounted at the workdir: empty ({}), or a clone of git at ref (depth for a shallow clone). An https:// remote uses the credential of grant (one of the team's grants covering its host); an ssh:// or user@host:path remote the deploy key in the team secret sshKeySecret. When the run ends its diff against the starting commit and new commits (a git bundle) are kept as results.",
      ),
    user: runUser.optional().describe("uid or uid:gid the run runs as; a workspace run defaults to 1000:1000 and owns its workspace"),
    artifacts: z.array(artifactGlob).max(64).optional().describe("Globs relative to the workdir (dist/**, **/*.log) of files kept as the run's artifacts when it ends; needs a workspace"),
    push: runPush.optional().describe("Push the run's commits to this branch of the workspace's repository when it ends (bailey/<run id> is a good name); needs workspace.git"),
    dependencies: z
      .array(z.string())
      .max(4)
      .default([])
      .describe(
        "docker:host: the socket of the host's own engine (Docker's or Podman's) at /var/run/docker.sock (DOCKER_HOST set); every container it starts is the host's. Under gVisor it needs a host whose Docker registers the runsc-host-uds runtime; on Podman hosts it needs sandbox none. docker:dind: a BuildKit daemon of the run's own (a sidecar on the run's network, BUILDKIT_HOST=tcp://buildkit:1234, for buildctl or docker buildx's remote driver) and a privileged main container; Bailey starts no Docker engine for it, so `docker run` needs an image that brings and starts its own dockerd.",
      ),
    sandbox: z.enum(["gvisor", "none"]).default("gvisor"),
    placement: z
      .object({ labels: labelSelector.default({}) })
      .strict()
      .default({ labels: {} }),
    resources: z
      .object({
        cpus: z.number().min(minimumCpus, `must be at least ${minimumCpus} (engines take CPU shares in hundredths)`).max(256).optional(),
        memory: z.union([z.string(), z.number().int().positive()]).optional(),
        pids: z.number().int().min(16).max(1_000_000).optional(),
        timeoutSeconds: z
          .number()
          .int()
          .positive()
          .max(7 * 24 * 3600)
          .optional(),
      })
      .strict()
      .default({}),
  })
  .strict();

export type SubmittedRunSpec = z.infer<typeof submittedRunSpec>;

export interface ValidatedRun {
  spec: SubmittedRunSpec;
  agentSpec: AgentRunSpec;
}

export interface ValidateRunSpecOptions {
  /** The stored spec of this run: a build run's spec then names both its build and the image it builds, `buildImageTag(runId)`. */
  storedRunId?: string;
}

/** Validates a submission (or a stored spec, with `storedRunId`) into the spec the agent receives; errors name the field and the fix. */
export function validateRunSpec(input: unknown, { storedRunId }: ValidateRunSpecOptions = {}): ValidatedRun {
  const parsed = submittedRunSpec.safeParse(input);
  if (!parsed.success) throw specError(parsed.error.issues);
  const spec = parsed.data;
  const builtImage = spec.build ? buildImageTag(storedRunId ?? "pending") : undefined;
  if (!spec.image && !spec.build)
    throw specError([{ path: ["image"], message: "give image (the image to run, e.g. node:20) or build (a Dockerfile to build the run's image from, e.g. build: {dockerfileInline: ...})" }]);
  if (spec.image && spec.build && !(storedRunId && spec.image === builtImage))
    throw specError([{ path: ["build"], message: "give either image or build, not both: a build run runs the image it builds; put the image in the Dockerfile's FROM" }]);
  let memoryBytes: number | undefined;
  try {
    memoryBytes = spec.resources.memory === undefined ? undefined : parseMemory(spec.resources.memory);
  } catch (error) {
    throw specError([{ path: ["resources", "memory"], message: (error as Error).message }]);
  }
  const memoryFloor = minimumMemoryBytes[spec.sandbox];
  if (memoryBytes !== undefined && memoryBytes < memoryFloor)
    throw specError([
      {
        path: ["resources", "memory"],
        message: `${spec.resources.memory} is below the least memory a ${spec.sandbox === "gvisor" ? "gVisor" : "container"} run can start with: ${memoryFloor / 1024 ** 2}m; ask for ${memoryFloor / 1024 ** 2}m or more`,
      },
    ]);
  const twice = Object.keys(spec.secrets).filter((name) => name in spec.env);
  if (twice.length)
    throw specError(twice.map((name) => ({ path: ["secrets", name], message: `${name} is set in env as well; a variable gets its value from one of them, so remove it from env or from secrets` })));
  const repeated = spec.secretFiles.filter((name, index) => spec.secretFiles.indexOf(name) !== index);
  if (repeated.length) throw specError([{ path: ["secretFiles"], message: `${[...new Set(repeated)].join(", ")} listed more than once; each file is written once` }]);
  const repeatedGrants = spec.grants.filter((name, index) => spec.grants.indexOf(name) !== index);
  if (repeatedGrants.length) throw specError([{ path: ["grants"], message: `${[...new Set(repeatedGrants)].join(", ")} listed more than once; list each grant once` }]);
  const workspaceIssues = workspaceSpecIssues(spec);
  if (workspaceIssues.length) throw specError(workspaceIssues);
  const agent = agentRunSpec.safeParse({
    image: builtImage ?? spec.image,
    // A built image is only on its host: there is nothing to pull.
    pullPolicy: builtImage ? "never" : spec.pullPolicy,
    ...(spec.build ? { build: spec.build } : {}),
    ...(spec.command ? { command: spec.command } : {}),
    env: spec.env,
    secrets: spec.secrets,
    secretFiles: spec.secretFiles,
    grants: spec.grants,
    ...(spec.network ? { network: spec.network } : {}),
    ...(spec.workdir ? { workdir: spec.workdir } : {}),
    ...(spec.workspace ? { workspace: spec.workspace } : {}),
    ...(spec.user ? { user: spec.user } : {}),
    ...(spec.artifacts ? { artifacts: spec.artifacts } : {}),
    ...(spec.push ? { push: spec.push } : {}),
    dependencies: spec.dependencies,
    sandbox: spec.sandbox,
    resources: {
      ...(spec.resources.cpus ? { cpus: spec.resources.cpus } : {}),
      ...(memoryBytes ? { memoryBytes } : {}),
      ...(spec.resources.pids ? { pids: spec.resources.pids } : {}),
      ...(spec.resources.timeoutSeconds ? { timeoutSeconds: spec.resources.timeoutSeconds } : {}),
    },
  });
  if (!agent.success) throw specError(agent.error.issues);
  return { spec, agentSpec: agent.data };
}

/** What a workspace, its artifacts and its push need besides their own syntax. */
function workspaceSpecIssues(spec: SubmittedRunSpec): { path: PropertyKey[]; message: string }[] {
  const issues: { path: PropertyKey[]; message: string }[] = [];
  if (spec.push && !spec.workspace?.git)
    issues.push({ path: ["push"], message: "push needs a repository to push to: add workspace: {git: <url>} (the run's commits are pushed to that repository's branch)" });
  if (spec.artifacts?.length && !spec.workspace)
    issues.push({ path: ["artifacts"], message: "artifacts are collected from the run's workspace: add workspace: {} (an empty one) or workspace: {git: <url>}" });
  const workspace = spec.workspace;
  if (workspace && !workspace.git) {
    for (const field of ["ref", "depth", "sshKeySecret", "grant"] as const)
      if (workspace[field] !== undefined) issues.push({ path: ["workspace", field], message: `${field} is for cloning a repository: add workspace.git, or remove ${field}` });
  }
  if (workspace?.git && workspace.sshKeySecret && /^https?:\/\//.test(workspace.git))
    issues.push({ path: ["workspace", "sshKeySecret"], message: "an SSH deploy key is for ssh:// and git@host:path remotes; for an https:// remote use workspace.grant (a grant covering its host)" });
  if (workspace?.git && workspace.grant && !/^https?:\/\//.test(workspace.git))
    issues.push({
      path: ["workspace", "grant"],
      message: "a grant's credential is sent over https://; for an ssh:// or git@host:path remote use workspace.sshKeySecret (a team secret holding a deploy key)",
    });
  return issues;
}

function specError(issues: { path: PropertyKey[]; message: string; code?: string; issues?: { message: string }[] }[]): AppError {
  const fields = issues.map((issue) => ({ field: issue.path.map(String).join(".") || "spec", message: issueMessage(issue) }));
  return new AppError("BAD_REQUEST", `The run spec is invalid: ${fields.map((field) => `${field.field}: ${field.message}`).join("; ")}`, { fields });
}

/** A bad record key says why the key is bad, not zod's generic "Invalid key in record". */
function issueMessage(issue: { message: string; code?: string; issues?: { message: string }[] }): string {
  return issue.code === "invalid_key" && issue.issues?.length ? issue.issues.map((inner) => inner.message).join("; ") : issue.message;
}
