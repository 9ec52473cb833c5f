import assert from "node:assert/strict";
import { test } from "node:test";
import { branchPageOf } from "../src/app/(dashboard)/runs/[id]/run-results-workspace";
import { emptyRunForm, formFieldOf, specFromForm } from "../src/app/(dashboard)/runs/new/spec-from-form";

test("the New run form's workspace fields become spec.workspace, user, artifacts and push, only those filled in", () => {
  const { spec, errors } = specFromForm({
    ...emptyRunForm,
    image: "bailey-test/git:latest",
    workspaceGit: " git://127.0.0.1:9418/repo.git ",
    workspaceRef: "main",
    workspaceDepth: "5",
    user: "1000:1000",
    artifacts: "dist/**\n\n report.json \n",
    pushBranch: "bailey/fix",
  });
  assert.deepEqual(errors, {});
  assert.deepEqual(spec.workspace, { git: "git://127.0.0.1:9418/repo.git", ref: "main", depth: 5 });
  assert.equal(spec.user, "1000:1000");
  assert.deepEqual(spec.artifacts, ["dist/**", "report.json"]);
  assert.deepEqual(spec.push, { branch: "bailey/fix" });

  const plain = specFromForm({ ...emptyRunForm, image: "busybox" }).spec;
  for (const key of ["workspace", "user", "artifacts", "push"]) assert.equal(key in plain, false, `${key} is absent when not filled in`);
});

test("what needs a repository, a bad depth, a named user and an escaping glob are refused beside their fields", () => {
  const { errors } = specFromForm({ ...emptyRunForm, image: "busybox", workspaceRef: "main", workspaceDepth: "2", pushBranch: "bailey/x", user: "agent", artifacts: "../secret\n" });
  assert.match(errors.workspaceRef ?? "", /needs a repository/);
  assert.match(errors.workspaceDepth ?? "", /needs a repository/);
  assert.match(errors.pushBranch ?? "", /needs a repository/);
  assert.match(errors.user ?? "", /numeric uid/);
  assert.match(errors.artifacts ?? "", /relative to the workdir/);
  const depth = specFromForm({ ...emptyRunForm, image: "busybox", workspaceGit: "https://example.com/r.git", workspaceDepth: "1.5" }).errors;
  assert.match(depth.workspaceDepth ?? "", /whole number/);
});

test("the server's field errors land beside the workspace fields", () => {
  assert.equal(formFieldOf("workspace.git"), "workspaceGit");
  assert.equal(formFieldOf("workspace.ref"), "workspaceRef");
  assert.equal(formFieldOf("workspace.depth"), "workspaceDepth");
  assert.equal(formFieldOf("workspace.grant"), "workspaceGit");
  assert.equal(formFieldOf("push.branch"), "pushBranch");
  assert.equal(formFieldOf("artifacts.0"), "artifacts");
  assert.equal(formFieldOf("user"), "user");
});

test("a pushed branch links to GitHub and GitLab pages for https remotes only, without credentials", () => {
  assert.equal(branchPageOf("https://github.com/acme/app.git", "bailey/run-1"), "https://github.com/acme/app/tree/bailey/run-1");
  assert.equal(branchPageOf("https://x-access-token:secret@github.com/acme/app", "main"), "https://github.com/acme/app/tree/main");
  assert.equal(branchPageOf("https://gitlab.com/group/sub/app.git", "fix#1"), "https://gitlab.com/group/sub/app/-/tree/fix%231");
  assert.equal(branchPageOf("https://gitlab.example.com/group/app.git", "main"), "https://gitlab.example.com/group/app/-/tree/main");
  assert.equal(branchPageOf("git@github.com:acme/app.git", "main"), null);
  assert.equal(branchPageOf("git://127.0.0.1:9418/app.git", "main"), null);
  assert.equal(branchPageOf("http://github.com/acme/app.git", "main"), null);
  assert.equal(branchPageOf("https://git.example.com/acme/app.git", "main"), null);
  assert.equal(branchPageOf("https://github.com/app.git", "main"), null);
  assert.equal(branchPageOf(null, "main"), null);
});
