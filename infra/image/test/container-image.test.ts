// The control-plane image (infra/image/Dockerfile, built by scripts/build-image.sh) run the way
// an operator runs it: `migrate` once, then `serve` against an external Postgres (the test
// suite's embedded server, on loopback: --network host), as uid 10001. Chromium signs in, a host
// behind real sshd is added, and a real run goes through the container's scheduler to that host.
import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { chmod, chown, copyFile, mkdtemp, rm } from "node:fs/promises";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { type AgentHost, startAgentHost } from "@bailey/agent/testing";
import { addHost, createApiToken, HostConnections } from "@bailey/core";
import { createPrismaClient, type PrismaClient } from "@bailey/db";
import { createScratchDatabase, createScratchTeam, type ScratchDatabase } from "@bailey/db/testing";
import { chromium } from "@playwright/test";

const run = promisify(execFile);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
// BAILEY_TEST_IMAGE: test an image built already (e.g. by scripts/build-image.sh) instead of building one.
const prebuiltImage = process.env.BAILEY_TEST_IMAGE || undefined;
const image = prebuiltImage ?? "bailey/control-plane:test";
const imageUid = "10001";
const owner = { email: "owner@image.bailey.test", password: "image-owner-password-1" };
const containerName = `bailey-image-test-${randomBytes(4).toString("hex")}`;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer().once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

const docker = async (...args: string[]) => (await run("docker", args, { maxBuffer: 64 * 1024 * 1024 })).stdout.trim();

/** scripts/build-image.sh, its output passed through; resolves with its wall time. */
function buildImage(): Promise<number> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(path.join(root, "scripts/build-image.sh"), [image], { cwd: root, stdio: ["ignore", "ignore", "inherit"] });
    child.once("error", reject);
    child.once("exit", (code) => (code === 0 ? resolve(Date.now() - started) : reject(new Error(`scripts/build-image.sh exited with ${code} (its output is above)`))));
  });
}

async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  const logs = await docker("logs", "--tail", "60", containerName).catch((error: Error) => error.message);
  throw new Error(`${what} did not happen within ${timeoutMs / 1000} s (${(lastError as Error | undefined)?.message ?? "no error"}). The container's log:\n${logs}`);
}

describe("the control-plane image", { timeout: 45 * 60_000 }, () => {
  let db: ScratchDatabase;
  let prisma: PrismaClient;
  let host: AgentHost;
  let keyDir: string;
  let baseUrl: string;

  // Its own timeout: a build without cached layers takes longer than npm test's 10-minute default.
  before(
    async () => {
      if (prebuiltImage) await docker("image", "inspect", prebuiltImage);
      else console.log(`[image test] scripts/build-image.sh took ${((await buildImage()) / 1000).toFixed(0)} s`);
      db = await createScratchDatabase();
      host = await startAgentHost({ hostId: "image-test-host" });
      // The container's user must read the control plane's SSH key, as an operator's mounted key file.
      keyDir = await mkdtemp(path.join(tmpdir(), "bailey-image-keys-"));
      await chmod(keyDir, 0o755);
      await copyFile(host.keyFile, path.join(keyDir, "ssh-key"));
      await chown(path.join(keyDir, "ssh-key"), Number(imageUid), Number(imageUid));
      const port = await freePort();
      baseUrl = `http://127.0.0.1:${port}`;

      // A one-shot migrate on the empty database: it exits 0 (execFile rejects otherwise), and the schema is there after.
      await run("docker", ["run", "--rm", "--network", "host", "-e", `DATABASE_URL=${db.url}`, image, "migrate"]);
      prisma = createPrismaClient(db.url, { maxConnections: 2 });
      assert.equal(await prisma.team.count(), 0, "migrate made the schema; serve has not run yet, so there is no team");

      await docker(
        ...["run", "-d", "--name", containerName, "--network", "host", "--label", "bailey.test=container-image"],
        ...["-v", `${keyDir}:/keys:ro`, "-e", "BAILEY_SSH_PRIVATE_KEY_FILE=/keys/ssh-key"],
        ...["-e", `DATABASE_URL=${db.url}`, "-e", `PORT=${port}`, "-e", "BAILEY_HOST=127.0.0.1", "-e", `NEXTAUTH_URL=${baseUrl}`],
        ...["-e", `BAILEY_ADMIN_EMAIL=${owner.email}`, "-e", `BAILEY_ADMIN_PASSWORD=${owner.password}`, "-e", "BAILEY_TICK_INTERVAL_MS=500"],
        // Migrated above: serving as a replica does, it only checks the schema.
        ...["-e", "BAILEY_MIGRATE=skip"],
        image,
      );
      await waitFor("the dashboard answering /api/health", 180_000, async () => ((await fetch(`${baseUrl}/api/health`)).ok ? true : undefined));
    },
    { timeout: 40 * 60_000 },
  );

  after(async () => {
    await docker("rm", "-f", "-v", containerName).catch(() => undefined);
    await prisma?.$disconnect();
    await host?.stop();
    await db?.drop();
    if (keyDir) await rm(keyDir, { recursive: true, force: true });
  });

  it("runs as uid 10001, not root, and its healthcheck passes", async () => {
    assert.equal(await docker("inspect", "--format", "{{.Config.User}}", containerName), `${imageUid}:${imageUid}`);
    assert.equal(await docker("exec", containerName, "id", "-u"), imageUid);
    // Every process in the container, the dashboard server and the launcher included.
    const users = (await docker("exec", containerName, "sh", "-c", "for p in /proc/[0-9]*; do stat -c %u $p; done")).split("\n");
    assert.deepEqual([...new Set(users)], [imageUid]);
    await waitFor("the image's HEALTHCHECK reporting healthy", 90_000, async () => ((await docker("inspect", "--format", "{{.State.Health.Status}}", containerName)) === "healthy" ? true : undefined));
  });

  it("refuses to start without DATABASE_URL, saying what to set", async () => {
    const refused = await run("docker", ["run", "--rm", image]).then(
      () => assert.fail("the image started without a database"),
      (error: { code: number; stderr: string }) => error,
    );
    assert.equal(refused.code, 64);
    assert.match(refused.stderr, /set DATABASE_URL/);
  });

  it("serves the agent bundle hosts install, with the digest the install command pins", async () => {
    const response = await fetch(`${baseUrl}/agent/bailey-agent.cjs`);
    assert.equal(response.status, 200);
    const body = Buffer.from(await response.arrayBuffer());
    assert.ok(body.length > 100_000, `the bundle is the real agent (${body.length} bytes)`);
    assert.equal(response.headers.get("x-bailey-sha256"), createHash("sha256").update(body).digest("hex"));
  });

  it("the owner signs in with Chromium and sees the runs page", async () => {
    const browser = await chromium.launch({ executablePath: process.env.BAILEY_CHROMIUM ?? "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu"] });
    try {
      const page = await browser.newPage({ baseURL: baseUrl });
      await page.goto("/signin");
      await page.getByLabel("Email").fill(owner.email);
      await page.getByLabel("Password").fill(owner.password);
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.waitForURL(/\/runs$/, { timeout: 30_000 });
      await page.getByRole("heading", { name: "Runs" }).waitFor({ timeout: 15_000 });
      await page.screenshot({ path: path.join(root, "apps/e2e/test-results/container-image-runs.png"), fullPage: true });
    } finally {
      await browser.close();
    }
  });

  it("a run goes from the container's scheduler to a real host over SSH and succeeds", async () => {
    const { ctx } = await createScratchTeam(prisma, { slug: "image", name: "Image", email: "admin@image.bailey.test", role: "admin" });
    // Added as an admin adds it. On a loaded machine the agent's first answer can miss addHost's own
    // probe; the container's scheduler probes an offline host on its ticks, so it is that, over
    // its own SSH connection, that must see the host online.
    const connections = new HostConnections({ privateKey: host.privateKey });
    let hostId: string;
    try {
      hostId = (await addHost({ prisma, ctx, connections, input: { name: "image-test-host", ...host.hostFields, capacityRuns: 2 } })).id;
    } finally {
      connections.close();
    }
    let statusReason: string | null = null;
    await waitFor("the host being online", 180_000, async () => {
      const current = await prisma.host.findUniqueOrThrow({ where: { id: hostId } });
      if (current.statusReason !== statusReason) console.log(`[image test] host ${current.status}: ${(statusReason = current.statusReason)}`);
      return current.status === "online" ? true : undefined;
    });
    const { token } = await createApiToken({ prisma, ctx, name: "image", scopes: ["runs:read", "runs:write"] });
    const auth = { authorization: `Bearer ${token}`, "content-type": "application/json" };
    const created = await fetch(`${baseUrl}/api/v1/runs`, {
      method: "POST",
      headers: auth,
      body: JSON.stringify({ image: "bailey-test/busybox:latest", command: ["sh", "-c", "echo hello from the image"] }),
    });
    assert.equal(created.status, 201, await created.clone().text());
    const { run: createdRun } = (await created.json()) as { run: { id: string } };
    const finished = await waitFor("the run finishing", 120_000, async () => {
      const { run: current } = (await (await fetch(`${baseUrl}/api/v1/runs/${createdRun.id}`, { headers: auth })).json()) as { run: { state: string; lastError: string | null } };
      return ["succeeded", "failed", "lost", "cancelled", "timed_out"].includes(current.state) ? current : undefined;
    });
    assert.equal(finished.state, "succeeded", finished.lastError ?? "");
    const logs = await (await fetch(`${baseUrl}/api/v1/runs/${createdRun.id}/logs`, { headers: auth })).text();
    assert.match(logs, /hello from the image/);
  });
});
