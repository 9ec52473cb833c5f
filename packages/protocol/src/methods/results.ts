import { z } from "zod";
import { grantName } from "./egress";
import { runId } from "./ids";

// Issue 16: a run starts from a git repository (spec.workspace) and what it made comes back as
// results the control plane pulls from the agent and stores durably: the diff against the
// starting commit, new commits as a git bundle, the files named by spec.artifacts, and the
// run's full log. The agent keeps results and the log in the run's directory on the host (not
// in memory, not in the journal) until the run is destroyed, so a pull cut by an SSH drop or an
// agent restart resumes from the control plane's stored offset.

/** A git remote the agent clones on the host: https://, http://, git://, ssh:// or scp-like user@host:path. Never a local path or file://. */
export const gitUrl = z
  .string()
  .min(1)
  .max(2048)
  .refine((value) => !/[\0\s]/.test(value), "must not contain spaces or NUL bytes")
  .refine(
    (value) => /^(https?|git|ssh):\/\/[^/]+/.test(value) || /^[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:(?!\/\/)./.test(value),
    "must be a git remote URL: https://host/org/repo.git, ssh://git@host/org/repo.git, git@host:org/repo.git or git://host/repo (local paths and file:// are refused)",
  )
  .refine((value) => !value.startsWith("-"), "must not start with '-'");

/** A branch, tag or commit; what `git check-ref-format --allow-onelevel` accepts, plus hex SHAs. */
export const gitRef = z
  .string()
  .min(1)
  .max(255)
  .refine(
    (value) =>
      !value.startsWith("-") &&
      !value.includes("..") &&
      !/[\0\s~^:?*[\\]/.test(value) &&
      !value.endsWith(".lock") &&
      !value.endsWith("/") &&
      !value.endsWith(".") &&
      !value.includes("@{") &&
      !value.includes("//"),
    "must be a branch, tag or commit (git ref syntax: no spaces, '..', '~', '^', ':', '?', '*', '[' or '\\')",
  );

/** A per-run directory on the host mounted at the workdir: empty, or a clone of `git`. */
export const runWorkspace = z
  .object({
    /** Absent: an empty workspace (for artifacts a command writes, without a repository). */
    git: gitUrl.optional(),
    /** Branch, tag or full commit SHA; absent: the remote's default branch. */
    ref: gitRef.optional(),
    /** A shallow clone of this many commits; absent: the full history. */
    depth: z.number().int().min(1).max(1_000_000).optional(),
    /** A team secret holding an SSH private key (a deploy key) for ssh:// and user@host:path remotes. */
    sshKeySecret: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_-]{0,63}$/, "must be a secret name")
      .optional(),
    /** A grant (from spec.grants' names, or any of the team's) whose credential is used for an https:// remote whose host it covers. */
    grant: grantName.optional(),
  })
  .strict();
export type RunWorkspace = z.infer<typeof runWorkspace>;

/** Where the workspace is mounted when the spec names no workdir. */
export const defaultWorkspaceDir = "/workspace";
/** Who a workspace run runs as when the spec names no user: not root (Claude Code refuses its unattended mode as root). */
export const defaultWorkspaceUser = "1000:1000";

/** A numeric uid, or uid:gid. Names are not accepted: they would need the image's /etc/passwd, which the host cannot read before the run. */
export const runUser = z.string().regex(/^\d{1,10}(:\d{1,10})?$/, "must be a numeric uid or uid:gid, e.g. 1000 or 1000:1000");

/**
 * A glob relative to the workdir: `*` and `?` within a path segment, `**` across segments
 * (`dist/**`, `**\/*.log`, `report.json`). Never absolute, never `..`.
 */
export const artifactGlob = z
  .string()
  .min(1)
  .max(1024)
  .refine((value) => !value.startsWith("/") && !value.split("/").includes("..") && !value.includes("\0"), "must be a glob relative to the workdir (no leading '/', no '..')");

/** The most files one run's artifacts may hold, the largest one file, and the largest total (bytes): past them the run says which were left out. */
export const maxArtifactFiles = 1000;
export const maxArtifactFileBytes = 1024 * 1024 * 1024;
export const maxArtifactsTotalBytes = 2 * 1024 * 1024 * 1024;

/** Push the run's commits to this branch of the workspace's repository when it ends (through the same credentials as the clone). */
export const runPush = z
  .object({
    branch: gitRef.refine((value) => !/^[0-9a-f]{40}$/.test(value), "must be a branch name, not a commit"),
  })
  .strict();
export type RunPush = z.infer<typeof runPush>;

/** The most bytes one `run.results.read` or `run.logs.read` carries (before base64), well inside a frame. */
export const maxResultChunkBytes = 4 * 1024 * 1024;

/**
 * One result file on the host. Names: `diff.patch` (binary-safe `git diff` of the workspace
 * against the starting commit, uncommitted and untracked changes included), `commits.bundle`
 * (a git bundle of the commits made since the start; absent when there are none), and
 * `artifacts/<path relative to the workdir>` per artifact.
 */
export const runResultFile = z.object({
  name: z.string().min(1).max(4096),
  kind: z.enum(["diff", "bundle", "artifact"]),
  sizeBytes: z.number().int().min(0),
  /** Lower-case hex SHA-256 of the file's bytes. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});
export type RunResultFile = z.infer<typeof runResultFile>;

/** A result the run should have had and why it has not: a cap, no git in the workspace, a failed push. */
export const runResultMissing = z.object({ name: z.string().max(4096), reason: z.string().max(4000) });

export const runResults = z.object({
  runId,
  /**
   * `none`: the spec asks for no results (no workspace, no artifacts). `pending`: the run has not
   * ended, or its results are being collected. `ready`: `files` and `missing` are final.
   */
  state: z.enum(["none", "pending", "ready"]),
  files: z.array(runResultFile),
  missing: z.array(runResultMissing),
  /** The commit the workspace was cloned at, and HEAD when the run ended. */
  baseCommit: z.string().nullable(),
  headCommit: z.string().nullable(),
  /** spec.push's outcome: the branch and commit pushed, or null (not asked, or failed: see `missing` "push"). */
  pushed: z.object({ branch: z.string(), commit: z.string() }).nullable(),
});
export type RunResults = z.infer<typeof runResults>;

export const resultMethods = {
  /** The run's results as they stand. Idempotent; answers for a run until it is destroyed. */
  "run.results": { params: z.object({ runId }).strict(), result: runResults },
  /** Bytes of one result file from `offset`; `eof` when the read reached its end. */
  "run.results.read": {
    params: z
      .object({
        runId,
        name: z.string().min(1).max(4096),
        offset: z.number().int().min(0),
        length: z.number().int().min(1).max(maxResultChunkBytes),
      })
      .strict(),
    result: z.object({ data: z.string(), eof: z.boolean() }),
  },
  /**
   * The run's full output (stdout and stderr interleaved as the engine gave them, no framing),
   * kept by the agent in the run's directory as it is produced, from byte `offset`. `complete`:
   * the run has ended and every byte of its output is in the log (so a read that returns
   * nothing at `offset` with `complete` means the control plane has it all). `sizeBytes` is the
   * log's length now.
   */
  "run.logs.read": {
    params: z
      .object({
        runId,
        offset: z.number().int().min(0),
        length: z.number().int().min(1).max(maxResultChunkBytes),
      })
      .strict(),
    result: z.object({ data: z.string(), sizeBytes: z.number().int().min(0), complete: z.boolean() }),
  },
  /**
   * The same log as a stream from byte `offset`, read in large pieces and written as fast as
   * the caller reads (the agent stops reading the file while the connection is congested):
   * to `until`, or to the log's end as it stands when `until` is past it; without `until`,
   * on as the run writes until the log is complete (a follow). A connection of protocol
   * version 2 or later carries the chunks as binary frames, so control planes use it only
   * there and keep `run.logs.read` for older agents (which do not have it). The result: the
   * bytes sent, and the log's `sizeBytes` and `complete` when the stream ended.
   */
  "run.logs.stream": {
    params: z
      .object({
        runId,
        offset: z.number().int().min(0),
        until: z.number().int().min(0).optional(),
      })
      .strict(),
    result: z.object({ bytes: z.number().int().min(0), sizeBytes: z.number().int().min(0), complete: z.boolean() }),
  },
} as const;
