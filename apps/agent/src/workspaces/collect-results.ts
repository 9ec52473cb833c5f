import { mkdir, readFile, rm } from "node:fs/promises";
import path from "node:path";
import type { RunResultFile, RunSpec } from "@bailey/protocol";
import { type ArtifactCaps, collectArtifacts, type Missing } from "./collect-artifacts";
import type { GitAccess } from "./git-access";
import { runGit } from "./git-command";
import type { WorkspaceOrigin } from "./prepare-workspace";
import { pushCommits } from "./push-commits";
import { hashFile, type ResultsManifest } from "./results-manifest";
import { sanitizeGitDir } from "./sanitize-git-dir";
import type { WorkspaceLayout } from "./workspace-layout";

export interface CollectResultsOptions {
  layout: WorkspaceLayout;
  spec: RunSpec;
  /** For spec.push: the clone's credentials, or why there are none (an agent restart loses them). */
  pushAccess: GitAccess | { lost: string } | null;
  tmpfsRoot: string;
  caps?: ArtifactCaps;
  log?: (line: string) => void;
  timeoutMs?: number;
}

export interface CollectedResults {
  manifest: ResultsManifest;
  /** spec.push's outcome for the journal (null when the spec has no push or there was nothing to push). */
  push: { ok: true; branch: string; commit: string } | { ok: false; branch: string; message: string } | null;
}

/**
 * Collects a run's results from its workspace after the main container exited: the diff against
 * the starting commit (untracked files included), its new commits as a bundle, the artifacts,
 * then spec.push. Everything goes into `results/` beside the workspace; the manifest is written
 * by the caller. Starts over from nothing each time (an agent that stopped half-way redoes it).
 */
export async function collectResults(options: CollectResultsOptions): Promise<CollectedResults> {
  const { layout, spec } = options;
  await rm(layout.results, { recursive: true, force: true });
  await rm(layout.scratch, { recursive: true, force: true });
  await mkdir(layout.results, { recursive: true, mode: 0o700 });
  await mkdir(layout.scratch, { recursive: true, mode: 0o700 });
  const files: RunResultFile[] = [];
  const missing: Missing[] = [];
  const origin = JSON.parse(await readFile(layout.origin, "utf8")) as WorkspaceOrigin;
  let headCommit: string | null = null;
  let push: CollectedResults["push"] = null;
  let pushed: ResultsManifest["pushed"] = null;
  try {
    if (origin.baseCommit) {
      const repository = await collectFromRepository(options, origin.baseCommit, files, missing);
      headCommit = repository.headCommit;
      if (spec.push) {
        push = await pushOrSay(options, origin, repository, missing);
        if (push?.ok) pushed = { branch: push.branch, commit: push.commit };
      }
    }
    if (spec.artifacts.length) {
      const artifacts = await collectArtifacts({
        workspace: layout.workspace,
        globs: spec.artifacts,
        destDir: path.join(layout.results, "artifacts"),
        ...(options.caps ? { caps: options.caps } : {}),
      });
      files.push(...artifacts.files.map((file) => ({ ...file, kind: "artifact" as const })));
      missing.push(...artifacts.missing);
    }
  } finally {
    await rm(layout.scratch, { recursive: true, force: true });
  }
  return { manifest: { files, missing, baseCommit: origin.baseCommit, headCommit, pushed, collectedAt: new Date().toISOString() }, push };
}

async function collectFromRepository(options: CollectResultsOptions, baseCommit: string, files: RunResultFile[], missing: Missing[]): Promise<{ headCommit: string | null; bundled: boolean }> {
  const { layout, log, timeoutMs } = options;
  const git = (args: string[], env: Record<string, string> = {}) => runGit({ args, cwd: layout.workspace, env, ...(log ? { log } : {}), ...(timeoutMs ? { timeoutMs } : {}) });
  try {
    await sanitizeGitDir(layout);
  } catch (error) {
    const reason = `not collected: ${(error as Error).message}`;
    missing.push({ name: "diff.patch", reason }, { name: "commits.bundle", reason });
    return { headCommit: null, bundled: false };
  }
  const headCommit = await git(["rev-parse", "--verify", "--quiet", "HEAD^{commit}"]).then(
    (out) => out.toString("utf8").trim(),
    () => null,
  );
  try {
    // A temporary index outside the workspace: untracked files are added to it (the run's own index and staging stay as they were).
    const index = { GIT_INDEX_FILE: path.join(layout.scratch, "index") };
    if (headCommit) await git(["read-tree", "HEAD"], index);
    await git(["add", "--all", "--", "."], index);
    const patch = path.join(layout.results, "diff.patch");
    await git(["diff", "--cached", "--binary", "--no-ext-diff", "--no-textconv", "--no-color", `--output=${patch}`, baseCommit, "--"], index);
    files.push({ name: "diff.patch", kind: "diff", ...(await hashFile(patch)) });
  } catch (error) {
    missing.push({ name: "diff.patch", reason: `git diff against ${baseCommit} failed: ${(error as Error).message}` });
  }
  if (!headCommit) {
    missing.push({ name: "commits.bundle", reason: "the workspace's HEAD is not a commit any more (the run removed or broke it)" });
    return { headCommit, bundled: false };
  }
  if (headCommit === baseCommit) return { headCommit, bundled: false };
  const bundle = path.join(layout.results, "commits.bundle");
  try {
    await git(["bundle", "create", "--quiet", bundle, `${baseCommit}..HEAD`]);
    files.push({ name: "commits.bundle", kind: "bundle", ...(await hashFile(bundle)) });
    return { headCommit, bundled: true };
  } catch (error) {
    await rm(bundle, { force: true });
    missing.push({ name: "commits.bundle", reason: `git bundle of ${baseCommit}..${headCommit} failed (HEAD no longer descends from the starting commit?): ${(error as Error).message}` });
    return { headCommit, bundled: false };
  }
}

async function pushOrSay(options: CollectResultsOptions, origin: WorkspaceOrigin, repository: { headCommit: string | null; bundled: boolean }, missing: Missing[]): Promise<CollectedResults["push"]> {
  const branch = (options.spec.push as NonNullable<RunSpec["push"]>).branch;
  if (!repository.bundled || !repository.headCommit) {
    missing.push({ name: "push", reason: `nothing pushed to ${branch}: the run made no commits on top of ${origin.baseCommit}` });
    return null;
  }
  const access = options.pushAccess;
  const failed = (message: string) => {
    missing.push({ name: "push", reason: `pushing to ${branch} of ${origin.remote} failed: ${message}` });
    return { ok: false as const, branch, message };
  };
  if (access && "lost" in access) return failed(access.lost);
  try {
    await pushCommits({
      layout: options.layout,
      access,
      remote: origin.remote as string,
      bundle: path.join(options.layout.results, "commits.bundle"),
      commit: repository.headCommit,
      branch,
      tmpfsRoot: options.tmpfsRoot,
      ...(options.log ? { log: options.log } : {}),
      ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
    });
    return { ok: true, branch, commit: repository.headCommit };
  } catch (error) {
    return failed((error as Error).message);
  }
}
