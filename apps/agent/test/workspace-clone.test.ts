import assert from "node:assert/strict";
import { existsSync, statSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { type GitServer, gitIn, startGitServer } from "../src/testing";
import { prepareWorkspace, WorkspaceError } from "../src/workspaces/prepare-workspace";
import { WorkspaceLayout } from "../src/workspaces/workspace-layout";

describe("prepareWorkspace with the host's git against a real git daemon: branches, tags, pinned commits, shallow clones, ownership", () => {
  let git: GitServer;
  let stateDir: string;
  let tmpfsRoot: string;
  let commits: string[];
  const repo = "clone-me";

  before(async () => {
    git = await startGitServer();
    ({ commits } = await git.createRepository(repo));
    const bare = path.join(git.baseDir, `${repo}.git`);
    await gitIn(bare, ["tag", "v1", commits[0] as string]);
    await gitIn(bare, ["branch", "old", commits[1] as string]);
    stateDir = await mkdtemp(path.join(tmpdir(), "bailey-clone-state-"));
    tmpfsRoot = await mkdtemp(path.join(tmpdir(), "bailey-clone-tmpfs-"));
  });
  after(async () => {
    await git?.stop();
    await rm(stateDir, { recursive: true, force: true });
    await rm(tmpfsRoot, { recursive: true, force: true });
  });

  const prepare = (runId: string, workspace: object) =>
    prepareWorkspace({ layout: WorkspaceLayout.of(stateDir, runId), workspace: { git: git.url(repo), ...workspace }, access: null, owner: { uid: 1000, gid: 1000 }, tmpfsRoot });

  it("the default branch, a branch, a tag, and commits by SHA (shallow or not) check out exactly that commit", async () => {
    assert.equal((await prepare("r-default", {})).baseCommit, commits[2]);
    assert.equal((await prepare("r-branch", { ref: "old" })).baseCommit, commits[1]);
    assert.equal((await prepare("r-tag", { ref: "v1", depth: 1 })).baseCommit, commits[0]);
    assert.equal((await prepare("r-sha", { ref: commits[1] })).baseCommit, commits[1]);
    assert.equal((await prepare("r-sha-shallow", { ref: commits[0], depth: 1 })).baseCommit, commits[0]);
    const shallow = WorkspaceLayout.of(stateDir, "r-sha-shallow");
    assert.equal(await readFile(path.join(shallow.workspace, "src/app.txt"), "utf8"), "version 1\n");
  });

  it("the workspace and everything in it belongs to the run's user; the trusted .git/config and origin sit outside it", async () => {
    const layout = WorkspaceLayout.of(stateDir, "r-owner");
    await prepare("r-owner", {});
    for (const file of [layout.workspace, path.join(layout.workspace, ".git", "config"), path.join(layout.workspace, "src", "app.txt")]) {
      assert.equal(statSync(file).uid, 1000, `${file} is owned by 1000`);
    }
    assert.equal(statSync(layout.root).mode & 0o777, 0o700, "the run's directory is root-only");
    assert.ok(existsSync(layout.trustedGitConfig) && statSync(layout.trustedGitConfig).uid === 0);
    assert.deepEqual(JSON.parse(await readFile(layout.origin, "utf8")), { remote: git.url(repo), baseCommit: commits[2] });
  });

  it("an unknown branch fails with the remote, the ref and git's own message, and leaves nothing", async () => {
    await assert.rejects(prepare("r-missing", { ref: "no-such-branch" }), (error: WorkspaceError) => {
      assert.ok(error instanceof WorkspaceError);
      assert.ok(error.message.includes(git.url(repo)) && error.message.includes("at no-such-branch"), error.message);
      assert.match(error.message, /Remote branch no-such-branch not found/);
      return true;
    });
    assert.equal(existsSync(WorkspaceLayout.of(stateDir, "r-missing").root), false);
  });
});
