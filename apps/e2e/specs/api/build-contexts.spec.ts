import { execFileSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { APIRequestContext } from "@playwright/test";
import { expect, test } from "../../fixtures/test";

const env = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is unset: run through \`npm test\`.`);
  return value;
};
const finalStates = ["succeeded", "failed", "cancelled", "lost", "timed_out"];

async function contextTar(files: Record<string, string>): Promise<Buffer> {
  const dir = await mkdtemp(path.join(tmpdir(), "bailey-e2e-context-"));
  try {
    await mkdir(path.join(dir, "context"));
    for (const [name, text] of Object.entries(files)) await writeFile(path.join(dir, "context", name), text);
    execFileSync("tar", ["-czf", path.join(dir, "context.tgz"), "-C", path.join(dir, "context"), "."]);
    return await readFile(path.join(dir, "context.tgz"));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function waitForEnd(request: APIRequestContext, runId: string, headers: Record<string, string>) {
  for (let i = 0; i < 600; i++) {
    const { run } = (await (await request.get(`/api/v1/runs/${runId}`, { headers })).json()) as {
      run: { state: string; stateReason: string | null; buildSteps: { type: string; builder: string | null; message: string | null }[] };
    };
    if (finalStates.includes(run.state)) return run;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`run ${runId} did not finish within 5 minutes`);
}

async function logsOf(request: APIRequestContext, runId: string, headers: Record<string, string>): Promise<string> {
  return (await request.get(`/api/v1/runs/${runId}/logs`, { headers })).text();
}

// The Automation team's token (seed-api.ts) and its e2e SSH host: a real agent on Docker.
test("a build context uploaded over REST builds a run that succeeds; a broken Dockerfile's run fails with the build error", async ({ request }) => {
  test.setTimeout(420_000);
  const headers = { authorization: `Bearer ${env("BAILEY_E2E_API_TOKEN")}` };
  const suffix = randomBytes(4).toString("hex");
  const tar = await contextTar({
    Dockerfile: "FROM bailey-test/busybox:latest\nCOPY message.txt /message.txt\n",
    "Broken.Dockerfile": "FROM bailey-test/busybox:latest\nRUN exit 7\n",
    "message.txt": `hello from the uploaded context ${suffix}\n`,
  });

  const uploaded = await request.post("/api/v1/build-contexts", { headers: { ...headers, "content-type": "application/gzip" }, data: tar });
  expect(uploaded.status(), await uploaded.text()).toBe(201);
  const { buildContext } = (await uploaded.json()) as { buildContext: { sha256: string; sizeBytes: number } };
  expect(buildContext.sha256).toBe(createHash("sha256").update(tar).digest("hex"));
  expect(buildContext.sizeBytes).toBe(tar.length);
  const again = await request.post("/api/v1/build-contexts", { headers: { ...headers, "content-type": "application/gzip" }, data: tar });
  expect(again.status()).toBe(200);
  const listed = (await (await request.get("/api/v1/build-contexts", { headers })).json()) as { buildContexts: { sha256: string }[] };
  expect(listed.buildContexts.map((context) => context.sha256)).toContain(buildContext.sha256);
  const notTar = await request.post("/api/v1/build-contexts", { headers: { ...headers, "content-type": "application/x-tar" }, data: Buffer.from("FROM busybox\n".repeat(100)) });
  expect(notTar.status()).toBe(400);
  expect((await notTar.json()).error.message).toMatch(/not a tar or a gzip/);
  // Another team knows the hash but never uploaded it.
  const outsider = await request.post("/api/v1/runs", { headers: { authorization: `Bearer ${env("BAILEY_E2E_OUTSIDER_TOKEN")}` }, data: { build: { context: buildContext.sha256 } } });
  expect(outsider.status()).toBe(400);
  expect((await outsider.json()).error.message).toMatch(/upload it first/);

  const created = await request.post("/api/v1/runs", { headers, data: { name: `context-${suffix}`, build: { context: buildContext.sha256 }, command: ["cat", "/message.txt"] } });
  expect(created.status(), await created.text()).toBe(201);
  const { run } = (await created.json()) as { run: { id: string; image: string } };
  expect(run.image).toBe(`bailey-build/${run.id}:latest`);
  const ended = await waitForEnd(request, run.id, headers);
  expect(ended.state, ended.stateReason ?? "").toBe("succeeded");
  expect(await logsOf(request, run.id, headers)).toContain(`hello from the uploaded context ${suffix}`);
  expect(ended.buildSteps.map((step) => step.type)).toEqual(expect.arrayContaining(["build.started", "build.builder", "build.finished"]));

  const broken = await request.post("/api/v1/runs", { headers, data: { name: `broken-${suffix}`, build: { context: buildContext.sha256, dockerfile: "Broken.Dockerfile" }, command: ["true"] } });
  expect(broken.status(), await broken.text()).toBe(201);
  const brokenRun = (await broken.json()).run as { id: string };
  const failed = await waitForEnd(request, brokenRun.id, headers);
  expect(failed.state).toBe("failed");
  expect(failed.stateReason ?? "").toMatch(/exit 7|exit code: 7|returned a non-zero code: 7/);
  const buildFailed = failed.buildSteps.find((step) => step.type === "build.failed");
  expect(buildFailed?.message ?? "").toMatch(/exit 7|exit code: 7|returned a non-zero code: 7/);
  // The build's output stays readable as the failed run's logs.
  expect(await logsOf(request, brokenRun.id, headers)).toContain("RUN exit 7");
});
