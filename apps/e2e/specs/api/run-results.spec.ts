import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { APIRequestContext } from "@playwright/test";
import { gitIn } from "@bailey/agent/testing";
import { artifactPath, expectedArtifactBytes, resultsRepository, workspaceCommand } from "../../fixtures/git-repository";
import { expect, test } from "../../fixtures/test";

const env = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is unset: run through \`npm test\` (its global setup starts Bailey and the git daemon).`);
  return value;
};
const finalStates = ["succeeded", "failed", "cancelled", "lost", "timed_out"];
const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

interface Results {
  state: string;
  missing: { name: string; reason: string }[];
  files: { name: string; kind: string; sizeBytes: number; sha256: string; stored: boolean }[];
  baseCommit: string | null;
  headCommit: string | null;
  pushed: { branch: string; commit: string } | null;
  workspace: { git: string | null; ref: string | null } | null;
  logs: { storedBytes: number; complete: boolean };
}

async function waitForEnd(request: APIRequestContext, runId: string, headers: Record<string, string>) {
  for (let i = 0; i < 600; i++) {
    const { run } = (await (await request.get(`/api/v1/runs/${runId}`, { headers })).json()) as { run: { state: string; stateReason: string | null } };
    if (finalStates.includes(run.state)) return run;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`run ${runId} did not finish within 5 minutes`);
}

async function download(request: APIRequestContext, url: string, headers: Record<string, string>): Promise<Buffer> {
  const response = await request.get(url, { headers });
  expect(response.status(), `GET ${url}: ${response.status()} ${(await response.body()).subarray(0, 400).toString()}`).toBe(200);
  return response.body();
}

// The Automation team's token (seed-api.ts) and its e2e SSH host: a real agent on Docker (under
// gVisor, the default), cloning from and pushing to the global setup's git daemon.
test("a workspace run over REST: its diff applies to a fresh clone, its bundle and artifact download, its branch is pushed, and after DELETE the logs, diff and artifact download byte-identical", async ({
  request,
}) => {
  test.setTimeout(420_000);
  const headers = { authorization: `Bearer ${env("BAILEY_E2E_API_TOKEN")}` };
  const suffix = randomBytes(4).toString("hex");
  const branch = `bailey/e2e-${suffix}`;
  const gitUrl = env("BAILEY_E2E_GIT_URL");
  const mainCommit = env("BAILEY_E2E_GIT_MAIN_COMMIT");

  // A local path is not a remote: refused with the field named.
  const local = await request.post("/api/v1/runs", { headers, data: { image: "bailey-test/git:latest", workspace: { git: env("BAILEY_E2E_GIT_DIR") } } });
  expect(local.status(), await local.text()).toBe(400);
  expect(await local.text()).toMatch(/workspace\.git|git remote URL/);

  const created = await request.post("/api/v1/runs", {
    headers,
    data: {
      name: `results-${suffix}`,
      image: "bailey-test/git:latest",
      command: ["/bin/sh", "-c", workspaceCommand(suffix)],
      workspace: { git: gitUrl, ref: "main" },
      artifacts: ["out/*.txt"],
      push: { branch },
    },
  });
  expect(created.status(), await created.text()).toBe(201);
  const { run } = (await created.json()) as { run: { id: string } };
  const ended = await waitForEnd(request, run.id, headers);
  expect(ended.state, ended.stateReason ?? "").toBe("succeeded");

  // A run with results is reported ended only once they are stored.
  const results = (await (await request.get(`/api/v1/runs/${run.id}/results`, { headers })).json()) as Results;
  expect(results.state, JSON.stringify(results.missing)).toBe("complete");
  expect(results.missing).toEqual([]);
  expect(results.workspace).toEqual({ git: gitUrl, ref: "main" });
  expect(results.baseCommit).toBe(mainCommit);
  expect(results.headCommit).toMatch(/^[0-9a-f]{40}$/);
  expect(results.headCommit).not.toBe(mainCommit);
  expect(results.pushed).toEqual({ branch, commit: results.headCommit });
  expect(results.logs.complete).toBe(true);
  expect(results.logs.storedBytes).toBeGreaterThan(0);
  const byKind = (kind: string) => results.files.filter((file) => file.kind === kind);
  expect(byKind("diff")).toHaveLength(1);
  expect(byKind("bundle")).toHaveLength(1);
  expect(byKind("artifact").map((file) => file.name)).toEqual([`artifacts/${artifactPath}`]);
  for (const file of results.files) expect(file.stored, `${file.name} stored`).toBe(true);
  const artifactFile = byKind("artifact")[0]!;
  expect(artifactFile.sha256).toBe(sha256(expectedArtifactBytes()));
  expect(artifactFile.sizeBytes).toBe(expectedArtifactBytes().length);

  // The branch is in the bare repository, at the run's last commit.
  expect((await gitIn(env("BAILEY_E2E_GIT_DIR"), ["rev-parse", `refs/heads/${branch}`])).trim()).toBe(results.headCommit);

  const logs = await download(request, `/api/v1/runs/${run.id}/logs`, headers);
  expect(logs.toString()).toContain(`workspace-run-${suffix} as 1000 in /workspace`);
  expect(logs.toString()).toContain(`committed-${suffix} ${results.headCommit}`);
  const diff = await download(request, `/api/v1/runs/${run.id}/diff`, headers);
  expect(sha256(diff)).toBe(byKind("diff")[0]!.sha256);
  expect(diff.toString()).toContain(`+export const greeting = "hello-${suffix}";`);
  const bundle = await download(request, `/api/v1/runs/${run.id}/bundle`, headers);
  expect(sha256(bundle)).toBe(byKind("bundle")[0]!.sha256);
  const listed = (await (await request.get(`/api/v1/runs/${run.id}/artifacts`, { headers })).json()) as { artifacts: { path: string; sha256: string; sizeBytes: number }[] };
  expect(listed.artifacts.map((artifact) => [artifact.path, artifact.sha256])).toEqual([[artifactPath, artifactFile.sha256]]);
  const artifact = await download(request, `/api/v1/runs/${run.id}/artifacts/${artifactPath}`, headers);
  expect(sha256(artifact)).toBe(sha256(expectedArtifactBytes()));
  const missingArtifact = await request.get(`/api/v1/runs/${run.id}/artifacts/out/none.txt`, { headers });
  expect(missingArtifact.status()).toBe(404);

  // A fresh clone at the starting commit: git apply reproduces the run's change, and the bundle's commits fetch into it.
  const scratch = await mkdtemp(path.join(tmpdir(), "bailey-e2e-results-"));
  try {
    const clone = path.join(scratch, "clone");
    await gitIn(scratch, ["clone", "--quiet", gitUrl, clone]);
    expect((await gitIn(clone, ["rev-parse", "HEAD"])).trim()).toBe(mainCommit);
    await writeFile(path.join(scratch, "run.patch"), diff);
    await gitIn(clone, ["apply", "--binary", path.join(scratch, "run.patch")]);
    expect(await readFile(path.join(clone, resultsRepository.editedFile), "utf8")).toContain(`export const greeting = "hello-${suffix}";`);
    expect(sha256(await readFile(path.join(clone, artifactPath)))).toBe(sha256(expectedArtifactBytes()));

    await writeFile(path.join(scratch, "commits.bundle"), bundle);
    await gitIn(clone, ["bundle", "verify", path.join(scratch, "commits.bundle")]);
    const heads = await gitIn(clone, ["bundle", "list-heads", path.join(scratch, "commits.bundle")]);
    expect(heads).toContain(results.headCommit!);
    await gitIn(clone, ["fetch", "--quiet", path.join(scratch, "commits.bundle"), results.headCommit!]);
    expect((await gitIn(clone, ["show", `${results.headCommit}:${resultsRepository.editedFile}`])).trim()).toContain(`hello-${suffix}`);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }

  // Destroying the run removes it from the host; what Bailey stored stays, byte for byte.
  const destroyed = await request.delete(`/api/v1/runs/${run.id}`, { headers });
  expect(destroyed.status(), await destroyed.text()).toBe(200);
  expect(sha256(await download(request, `/api/v1/runs/${run.id}/logs`, headers))).toBe(sha256(logs));
  expect(sha256(await download(request, `/api/v1/runs/${run.id}/diff`, headers))).toBe(sha256(diff));
  expect(sha256(await download(request, `/api/v1/runs/${run.id}/bundle`, headers))).toBe(sha256(bundle));
  expect(sha256(await download(request, `/api/v1/runs/${run.id}/artifacts/${artifactPath}`, headers))).toBe(sha256(expectedArtifactBytes()));
  const after = (await (await request.get(`/api/v1/runs/${run.id}/results`, { headers })).json()) as Results;
  expect(after.state).toBe("complete");
  expect(after.files.map((file) => [file.name, file.sha256])).toEqual(results.files.map((file) => [file.name, file.sha256]));
});
