import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { chmod, mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { type AgentHost, startAgentHost } from "@bailey/agent/testing";
import { createApiToken, hashPassword } from "@bailey/core";
import { createPrismaClient } from "@bailey/db";
import { createScratchTeam } from "@bailey/db/testing";
import { expect, test } from "../../fixtures/test";

const env = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is unset: run through \`npm test\`.`);
  return value;
};

/**
 * A Podman worker host as a user has one: a private `podman system service` whose default OCI
 * runtime is runc (so its agent reports no gVisor), a real agent with BAILEY_RUNTIME=podman
 * found through XDG_RUNTIME_DIR, behind a real sshd that lets the running Bailey's key in.
 */
async function startPodmanHost(): Promise<{ host: AgentHost; stop(): Promise<void> }> {
  if (!existsSync("/usr/bin/podman")) throw new Error("Podman is not installed: apt-get install podman (infra/ci/setup-test-host.sh does).");
  const runtimeDir = await mkdtemp(path.join(tmpdir(), "bailey-e2e-podman-"));
  await chmod(runtimeDir, 0o700);
  await mkdir(path.join(runtimeDir, "podman"));
  const socket = path.join(runtimeDir, "podman", "podman.sock");
  const service: ChildProcess = spawn("podman", ["system", "service", "--time=0", `unix://${socket}`], { stdio: "ignore" });
  const stopService = async () => {
    if (service.exitCode === null && service.signalCode === null) {
      const exited = new Promise((resolve) => service.once("exit", resolve));
      service.kill("SIGTERM");
      await exited;
    }
    await rm(runtimeDir, { recursive: true, force: true });
  };
  for (let i = 0; i < 100 && !existsSync(socket); i++) await new Promise((resolve) => setTimeout(resolve, 100));
  if (!existsSync(socket)) {
    await stopService();
    throw new Error("podman system service did not create its socket within 10 s.");
  }
  const keyFile = env("BAILEY_E2E_SSH_KEY_FILE");
  const keyPair = { privateKey: readFileSync(keyFile, "utf8"), publicKey: execFileSync("ssh-keygen", ["-y", "-f", keyFile], { encoding: "utf8" }).trim() };
  try {
    const host = await startAgentHost({ hostId: `e2e-podman-${randomBytes(3).toString("hex")}`, keyPair, env: { BAILEY_RUNTIME: "podman", XDG_RUNTIME_DIR: runtimeDir } });
    return {
      host,
      stop: async () => {
        await host.stop();
        await stopService();
      },
    };
  } catch (error) {
    await stopService();
    throw error;
  }
}

/** A team of its own (so no other spec's host can take its run) whose owner signs in with a password and holds a token. */
async function seedWaitsTeam() {
  const prisma = createPrismaClient(env("BAILEY_E2E_DATABASE_URL"), { maxConnections: 2 });
  try {
    const suffix = randomBytes(3).toString("hex");
    const account = { email: `waits-${suffix}@e2e.bailey.test`, password: `waits password ${suffix}` };
    const { user, ctx } = await createScratchTeam(prisma, { slug: `e2e-waits-${suffix}`, name: `Waits ${suffix}`, email: account.email, role: "owner" });
    await prisma.user.update({ where: { id: user.id }, data: { passwordHash: await hashPassword(account.password) } });
    const { token } = await createApiToken({ prisma, ctx, name: "waits", scopes: ["runs:read", "runs:write", "hosts:read", "hosts:write", "team:write"] });
    return { account, headers: { authorization: `Bearer ${token}` } };
  } finally {
    await prisma.$disconnect();
  }
}

test("a gVisor run with a label only a Podman host has: the reason over REST, on the runs list and the run page, then failed after the team's 30 s", async ({ page, request, signInPage }) => {
  test.setTimeout(240_000);
  const { account, headers } = await seedWaitsTeam();
  const podman = await startPodmanHost();
  let hostId: string | undefined;
  try {
    const added = await request.post("/api/v1/hosts", {
      headers,
      data: { name: "hb-podman", ...podman.host.hostFields, labels: { engine: "podman" }, capacityRuns: 2 },
    });
    expect(added.status(), await added.text()).toBe(201);
    const { host } = await added.json();
    hostId = host.id;
    expect([host.status, host.runtimeType, host.hasRunsc, host.statusReason]).toEqual(["online", "podman", false, null]);

    // The owner sets the team's unplaceable-run timeout on the Team page; the form refuses less than 30 s.
    await signInPage.goto();
    await signInPage.signIn(account.email, account.password);
    await expect(page).toHaveURL(/\/runs$/);
    await page.goto("/team");
    const policy = page.getByRole("form", { name: "Run policy" });
    await expect(policy.getByLabel("Unplaceable run timeout (s)")).toHaveValue("900");
    await policy.getByLabel("Unplaceable run timeout (s)").fill("10");
    await policy.getByRole("button", { name: "Save policy" }).click();
    await expect(policy.getByRole("alert")).toContainText("from 30 to 604800");
    await policy.getByLabel("Unplaceable run timeout (s)").fill("30");
    await policy.getByRole("button", { name: "Save policy" }).click();
    await expect(policy.getByRole("status")).toHaveText("Policy saved.");
    expect((await (await request.get("/api/v1/team/policy", { headers })).json()).policy.unplaceableTimeoutSeconds).toBe(30);
    expect((await request.patch("/api/v1/team/policy", { headers, data: { unplaceableTimeoutSeconds: 29 } })).status()).toBe(400);

    const created = await request.post("/api/v1/runs", {
      headers,
      data: { name: "needs-gvisor-on-podman", image: "bailey-test/busybox:latest", command: ["true"], sandbox: "gvisor", placement: { labels: { engine: "podman" } } },
    });
    expect(created.status()).toBe(201);
    const runId = (await created.json()).run.id as string;
    const expectedReason = "no host matches labels engine=podman with gVisor: hb-podman has no gVisor (runsc)";

    // REST: the scheduler's reason on the run and in the list.
    let run = (await (await request.get(`/api/v1/runs/${runId}`, { headers })).json()).run;
    for (let i = 0; i < 240 && !run.waitReason; i++) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      run = (await (await request.get(`/api/v1/runs/${runId}`, { headers })).json()).run;
    }
    expect(run.state).toBe("queued");
    expect(run.waitReason).toBe(expectedReason);
    expect(run.unplaceableSince).not.toBeNull();
    const listed = (await (await request.get("/api/v1/runs", { headers })).json()).runs.find((summary: { id: string }) => summary.id === runId);
    expect([listed.state, listed.waitReason, listed.unplaceableSince]).toEqual(["queued", expectedReason, run.unplaceableSince]);

    // Chromium: under the state on the runs list, and prominently on the run page.
    await page.goto("/runs");
    const row = page.getByRole("row").filter({ hasText: "needs-gvisor-on-podman" });
    await expect(row.getByTestId("run-wait-reason")).toHaveText(expectedReason);
    await row.getByRole("link", { name: "needs-gvisor-on-podman" }).click();
    await expect(page).toHaveURL(new RegExp(`/runs/${runId}$`));
    const waiting = page.getByTestId("run-wait-reason");
    await expect(waiting).toContainText(`Waiting: ${expectedReason}`);
    await expect(waiting).toContainText("No host of this team can ever take it");
    await page.screenshot({ path: test.info().outputPath("run-page-waiting.png") });

    // Then it fails with that reason, 30 s after it was found unplaceable (the tick runs every 0.5 s).
    await expect(page.getByRole("alert").filter({ hasText: "The run failed" })).toContainText(`no host can take this run: ${expectedReason}`, { timeout: 60_000 });
    await expect(page.getByTestId("run-wait-reason")).toHaveCount(0);
    const failed = (await (await request.get(`/api/v1/runs/${runId}`, { headers })).json()).run;
    expect([failed.state, failed.stateReason, failed.hostId]).toEqual(["failed", `no host can take this run: ${expectedReason}`, null]);
    const waitedMs = new Date(failed.finishedAt).getTime() - new Date(failed.unplaceableSince).getTime();
    console.log(`[run-waits] unplaceable at ${failed.unplaceableSince}, failed at ${failed.finishedAt}: after ${waitedMs} ms (team timeout 30 s)`);
    expect(waitedMs).toBeGreaterThanOrEqual(30_000);
    // The failing is done by a scheduler tick, and a tick may wait up to 15 s for dispatches in flight (CI saw 45 s).
    expect(waitedMs).toBeLessThan(60_000);
    await page.screenshot({ path: test.info().outputPath("run-page-failed.png") });
  } finally {
    if (hostId) await request.delete(`/api/v1/hosts/${hostId}`, { headers });
    await podman.stop();
  }
});
