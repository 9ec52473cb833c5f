import { defaultWorkspaceDir, defaultWorkspaceUser, RpcError, type RunCredentials, type RunResults, type RunSpec, rpcErrorCodes } from "@bailey/protocol";
import { type RuntimeType, UnsupportedFeatureError } from "@bailey/runtime";
import type { Journal } from "../journal/journal";
import type { ArtifactCaps } from "./collect-artifacts";
import { collectResults } from "./collect-results";
import { ownerOf } from "./file-tree";
import { type GitAccess, type GitSettings, gitAccessFor } from "./git-access";
import { prepareWorkspace, WorkspaceError } from "./prepare-workspace";
import { readManifest, readResultChunk, resultsAnswer, writeManifest } from "./results-manifest";
import { removeWorkspace, runsWithWorkspaces, WorkspaceLayout } from "./workspace-layout";
import { workspaceSupport } from "./host-support";

export { WorkspaceError };

export interface RunWorkspacesOptions {
  /** The agent's state directory; without one, workspaces are refused. */
  stateDir: string | undefined;
  tmpfsRoot: string;
  runtime: RuntimeType;
  journal: Journal;
  /** The agent's own log (collection's git messages). */
  log?: (line: string) => void;
  /** Tests narrow the protocol's artifact caps. */
  artifactCaps?: ArtifactCaps;
  gitTimeoutMs?: number;
  /** BAILEY_AGENT_GIT_CA_FILE: what the host's git trusts for https remotes instead of the system's CAs. */
  gitCaFile?: string;
}

/** The container settings a workspace run gets: its user, workdir and the workspace's bind. */
export interface WorkspaceMount {
  user: string;
  workdir: string;
  bind: { source: string; target: string };
}

/** Whether a spec asks for anything collected when it ends. */
export const wantsResults = (spec: RunSpec) => spec.workspace !== undefined || spec.artifacts.length > 0 || spec.push !== undefined;

/**
 * Runs' workspaces and results on this host (spec.workspace, user, artifacts, push): cloned
 * before the main container is created, collected after it exited, removed when the run is
 * destroyed. The remote's credentials stay in this object's memory only.
 */
export class RunWorkspaces {
  private readonly access = new Map<string, GitAccess | null>();

  constructor(private readonly options: RunWorkspacesOptions) {}

  private get gitSettings(): GitSettings {
    return this.options.gitCaFile ? { caFile: this.options.gitCaFile } : {};
  }

  /** Refuses, before anything exists, a spec this host cannot give a workspace, or whose credentials are missing; keeps the credentials. */
  async accept(runId: string, spec: RunSpec, credentials: RunCredentials | undefined): Promise<void> {
    if (!wantsResults(spec)) return;
    if (!spec.workspace) {
      throw new RpcError(rpcErrorCodes.invalidParams, `Run ${runId} asks for artifacts or push without a workspace; they are collected from it: add spec.workspace (an empty one is {}).`, { runId });
    }
    const support = await workspaceSupport(this.options.runtime);
    if (!support.ok) throw new UnsupportedFeatureError("bind mounts", this.options.runtime, support.reason as string);
    if (!this.options.stateDir) {
      throw new UnsupportedFeatureError(
        "bind mounts",
        this.options.runtime,
        "This agent was started without a state directory, where workspaces and results are kept; start it with BAILEY_AGENT_STATE_DIR.",
      );
    }
    this.access.set(runId, gitAccessFor(runId, spec, credentials, this.gitSettings));
  }

  /** agent.hello's features.workspaces. */
  async supported(): Promise<boolean> {
    return this.options.stateDir !== undefined && (await workspaceSupport(this.options.runtime)).ok;
  }

  layoutOf(runId: string): WorkspaceLayout | null {
    return this.options.stateDir ? WorkspaceLayout.of(this.options.stateDir, runId) : null;
  }

  /**
   * Makes the run's workspace (a clone, or empty), owned by its user; journals workspace.ready,
   * or workspace.failed and throws a WorkspaceError (nothing is left behind).
   */
  async prepare(runId: string, spec: RunSpec, log?: (line: string) => void): Promise<WorkspaceMount | null> {
    const layout = this.layoutOf(runId);
    if (!spec.workspace || !layout) return null;
    const user = spec.user ?? defaultWorkspaceUser;
    const started = Date.now();
    try {
      const origin = await prepareWorkspace({
        layout,
        workspace: spec.workspace,
        access: this.access.get(runId) ?? null,
        owner: ownerOf(user),
        forPush: spec.push !== undefined,
        tmpfsRoot: this.options.tmpfsRoot,
        ...(log ? { log } : {}),
        ...(this.options.gitTimeoutMs ? { timeoutMs: this.options.gitTimeoutMs } : {}),
      });
      await this.options.journal.append({ type: "workspace.ready", runId, data: { commit: origin.baseCommit, durationMs: Date.now() - started } });
    } catch (error) {
      const message = (error as Error).message;
      log?.(message);
      await this.options.journal.append({ type: "workspace.failed", runId, data: { message } });
      throw error instanceof WorkspaceError ? error : new WorkspaceError(`Preparing run ${runId}'s workspace failed: ${message}`);
    }
    return { user, workdir: spec.workdir ?? defaultWorkspaceDir, bind: { source: layout.workspace, target: spec.workdir ?? defaultWorkspaceDir } };
  }

  /**
   * After the main container exited: collects the results (and pushes), writes the manifest and
   * journals results.ready. Never throws: what could not be collected is listed as missing.
   * Already collected (an agent restarted after writing the manifest): nothing to do.
   */
  async collect(runId: string, spec: RunSpec): Promise<void> {
    const layout = this.layoutOf(runId);
    if (!wantsResults(spec) || !layout || (await readManifest(layout))) return;
    const hadCredentials = spec.workspace?.grant !== undefined || spec.workspace?.sshKeySecret !== undefined;
    const held = this.access.get(runId);
    const pushAccess =
      held !== undefined
        ? held
        : hadCredentials
          ? { lost: "the agent restarted after the run was created, and a workspace's credentials are held in its memory only: fetch commits.bundle and push it yourself" }
          : gitAccessFor(runId, spec, undefined, this.gitSettings);
    let manifest: Awaited<ReturnType<typeof collectResults>>["manifest"];
    let push: Awaited<ReturnType<typeof collectResults>>["push"] = null;
    try {
      ({ manifest, push } = await collectResults({
        layout,
        spec,
        pushAccess,
        tmpfsRoot: this.options.tmpfsRoot,
        ...(this.options.artifactCaps ? { caps: this.options.artifactCaps } : {}),
        ...(this.options.log ? { log: (line: string) => this.options.log?.(`run ${runId}: ${line}`) } : {}),
        ...(this.options.gitTimeoutMs ? { timeoutMs: this.options.gitTimeoutMs } : {}),
      }));
    } catch (error) {
      manifest = {
        files: [],
        missing: [{ name: "results", reason: `collecting the run's results failed: ${(error as Error).message}` }],
        baseCommit: null,
        headCommit: null,
        pushed: null,
        collectedAt: new Date().toISOString(),
      };
    }
    if (push?.ok) await this.options.journal.append({ type: "push.succeeded", runId, data: { branch: push.branch, commit: push.commit } });
    else if (push) await this.options.journal.append({ type: "push.failed", runId, data: { branch: push.branch, message: push.message } });
    await writeManifest(layout, manifest);
    this.access.delete(runId);
    const bytes = manifest.files.reduce((sum, file) => sum + file.sizeBytes, 0);
    await this.options.journal.append({ type: "results.ready", runId, data: { files: manifest.files.length, bytes, missing: manifest.missing } });
  }

  /** `endedBeforeRunning`: the run ended without its container's exit being collected (it failed before it ran), and why. */
  async results(runId: string, spec: RunSpec, endedBeforeRunning?: string): Promise<RunResults> {
    const layout = this.layoutOf(runId);
    const manifest = layout ? await readManifest(layout) : null;
    if (!manifest && endedBeforeRunning !== undefined && wantsResults(spec)) {
      const missing = [{ name: "results", reason: `nothing was collected: the run ended before its container ran (${endedBeforeRunning})` }];
      return { runId, state: "ready", files: [], missing, baseCommit: null, headCommit: null, pushed: null };
    }
    return resultsAnswer(runId, wantsResults(spec), manifest);
  }

  async read(runId: string, name: string, offset: number, length: number): Promise<{ data: string; eof: boolean }> {
    const layout = this.layoutOf(runId);
    if (!layout) throw new RpcError(rpcErrorCodes.invalidParams, `Run ${runId} has no results on this host (the agent keeps none without a state directory).`, { runId });
    return readResultChunk(layout, await readManifest(layout), name, offset, length);
  }

  /** Removes the run's workspace and results; answers what went. */
  async remove(runId: string): Promise<string[]> {
    this.access.delete(runId);
    const layout = this.layoutOf(runId);
    if (!layout || !(await removeWorkspace(layout))) return [];
    await this.options.journal.append({ type: "resource.removed", runId, data: { kind: "workspace", id: layout.root, name: layout.root, reason: "teardown" } });
    return [layout.root];
  }

  /** Workspaces of runs this agent does not have and may remove (reconcile). */
  async removeOrphans(removable: (runId: string) => boolean): Promise<void> {
    if (!this.options.stateDir) return;
    for (const runId of await runsWithWorkspaces(this.options.stateDir)) {
      if (!removable(runId)) continue;
      const layout = WorkspaceLayout.of(this.options.stateDir, runId);
      if (await removeWorkspace(layout)) {
        await this.options.journal.append({ type: "resource.removed", runId, data: { kind: "workspace", id: layout.root, name: layout.root, reason: "reconcile" } });
      }
    }
  }
}
