import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { type AgentHost, type ContainerTlsUpstream, ensureEgressProxyImage, repoRoot, startAgentHost, startTlsUpstreamContainer } from "@bailey/agent/testing";
import { createApiToken, hashPassword } from "@bailey/core";
import { createPrismaClient } from "@bailey/db";
import { createScratchTeam } from "@bailey/db/testing";
import { requireDocker } from "@bailey/runtime/testing";
import { expect, test } from "../../fixtures/test";

const env = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is unset: run through \`npm test\`.`);
  return value;
};

const upstreamName = "api.upstream.test";

// The run's client. Node 20 does not honour HTTPS_PROXY, so it speaks CONNECT itself, then TLS
// trusting the run's CA (NODE_EXTRA_CA_CERTS, loaded by node at start). One request to the granted
// host, one CONNECT to a host nothing allows; each result is one line the spec reads in the logs.
const clientScript = String.raw`
const net = require("node:net"), tls = require("node:tls");
const proxy = new URL(process.env.HTTPS_PROXY);
const auth = Buffer.from(decodeURIComponent(proxy.username) + ":" + decodeURIComponent(proxy.password)).toString("base64");
function connect(target) {
  return new Promise((resolve) => {
    const socket = net.connect(Number(proxy.port), proxy.hostname);
    socket.setTimeout(15000, () => { socket.destroy(); resolve({ error: "timeout" }); });
    socket.once("error", (error) => resolve({ error: error.code || error.message }));
    socket.once("connect", () => socket.write("CONNECT " + target + " HTTP/1.1\r\nHost: " + target + "\r\nProxy-Authorization: Basic " + auth + "\r\n\r\n"));
    let buffer = Buffer.alloc(0);
    const onData = (data) => {
      buffer = Buffer.concat([buffer, data]);
      const end = buffer.indexOf("\r\n\r\n");
      if (end === -1) return;
      socket.removeListener("data", onData);
      socket.setTimeout(0);
      resolve({ status: Number(buffer.subarray(0, end).toString().split(" ")[1]), socket });
    };
    socket.on("data", onData);
  });
}
(async () => {
  const granted = await connect("${upstreamName}:443");
  let answer = granted.error || "CONNECT " + granted.status;
  if (granted.status === 200) {
    answer = await new Promise((resolve) => {
      let text = "";
      const secure = tls.connect({ socket: granted.socket, servername: "${upstreamName}" });
      secure.once("secureConnect", () => secure.write("GET /e2e HTTP/1.1\r\nHost: ${upstreamName}\r\nConnection: close\r\n\r\n"));
      secure.on("data", (data) => (text += data));
      secure.once("end", () => resolve(text.split("\r\n")[0]));
      secure.once("error", (error) => resolve(error.code || error.message));
    });
  }
  console.log("granted: " + answer);
  const denied = await connect("denied.example.test:443");
  denied.socket?.destroy();
  console.log("denied: " + (denied.error || denied.status));
})();
`;

/** A team of its own (only this spec's host takes its runs) whose admin signs in with a password and holds a token. */
async function seedEgressTeam() {
  const prisma = createPrismaClient(env("BAILEY_E2E_DATABASE_URL"), { maxConnections: 2 });
  try {
    const suffix = randomBytes(3).toString("hex");
    const account = { email: `egress-${suffix}@e2e.bailey.test`, password: `egress password ${suffix}` };
    const { user, ctx } = await createScratchTeam(prisma, { slug: `e2e-egress-${suffix}`, name: `Egress ${suffix}`, email: account.email, role: "admin" });
    await prisma.user.update({ where: { id: user.id }, data: { passwordHash: await hashPassword(account.password) } });
    const { token } = await createApiToken({ prisma, ctx, name: "egress", scopes: ["runs:read", "runs:write", "hosts:read", "hosts:write"] });
    return { account, headers: { authorization: `Bearer ${token}` } };
  } finally {
    await prisma.$disconnect();
  }
}

interface EgressHost {
  host: AgentHost;
  upstream: ContainerTlsUpstream;
  proxyImage: string;
  stop(): Promise<void>;
}

/**
 * A Docker worker host whose runs' egress proxies leave through a network of their own, where a
 * TLS upstream answers as api.upstream.test; the agent trusts that upstream's CA (and only through
 * BAILEY_EGRESS_EXTRA_CA_FILE). Everything made here is undone by stop(), or at once on a failure.
 */
async function startEgressHost(): Promise<EgressHost> {
  const runtime = await requireDocker();
  // The agent runs from source and puts apps/agent/dist/bailey-agent.cjs in the proxy image: build
  // it from the sources under test (a fresh clone has none; a stale one would test old code).
  execFileSync(process.execPath, [path.join(repoRoot, "apps/agent/build.mjs")], { stdio: "ignore" });
  const proxyImage = await ensureEgressProxyImage({ runtime, bundlePath: path.join(repoRoot, "apps/agent/dist/bailey-agent.cjs") });
  const suffix = randomBytes(4).toString("hex");
  const labels = { "bailey.test": `e2e-egress-${suffix}` };
  const network = `bailey-e2e-egress-${suffix}`;
  const dir = await mkdtemp(path.join(tmpdir(), "bailey-e2e-egress-"));
  const networks = runtime.networkManager()!;
  await networks.createNetwork(network, labels);
  let upstream: ContainerTlsUpstream | undefined;
  try {
    upstream = await startTlsUpstreamContainer({ runtime, image: proxyImage, network, aliases: [upstreamName], labels });
    const caFile = path.join(dir, "upstream-ca.pem");
    await writeFile(caFile, upstream.caPem);
    const keyFile = env("BAILEY_E2E_SSH_KEY_FILE");
    const keyPair = { privateKey: readFileSync(keyFile, "utf8"), publicKey: execFileSync("ssh-keygen", ["-y", "-f", keyFile], { encoding: "utf8" }).trim() };
    const host = await startAgentHost({ hostId: `e2e-egress-${suffix}`, keyPair, env: { BAILEY_EGRESS_NETWORK: network, BAILEY_EGRESS_EXTRA_CA_FILE: caFile } });
    const started = upstream;
    return {
      host,
      upstream: started,
      proxyImage,
      stop: async () => {
        await host.stop();
        await started.stop();
        await networks.removeNetwork(network);
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await upstream?.stop();
    await networks.removeNetwork(network);
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

test("a strict run with a grant: the upstream gets the injected key, the run page shows the granted host allowed and the one denied host, and never the secret", async ({
  page,
  request,
  signInPage,
}) => {
  test.setTimeout(300_000);
  const { account, headers } = await seedEgressTeam();
  const egress = await startEgressHost();
  const secretName = `UPSTREAM_KEY_${randomBytes(3).toString("hex").toUpperCase()}`;
  const secretValue = `upstream-key-${randomBytes(12).toString("hex")}`;
  const grantName = `upstream-${randomBytes(3).toString("hex")}`;
  let runId: string | undefined;
  try {
    const added = await request.post("/api/v1/hosts", { headers, data: { name: "hb-egress", ...egress.host.hostFields, capacityRuns: 2 } });
    expect(added.status(), await added.text()).toBe(201);
    expect((await added.json()).host.status).toBe("online");

    // The admin adds the secret and the grant in the browser.
    await signInPage.goto();
    await signInPage.signIn(account.email, account.password);
    await expect(page).toHaveURL(/\/runs$/);
    await page.goto("/secrets");
    const secretForm = page.getByRole("form", { name: "Add a secret" });
    await secretForm.getByLabel("Name").fill(secretName);
    await secretForm.getByLabel("Value").fill(secretValue);
    await secretForm.getByRole("button", { name: "Save secret" }).click();
    await expect(page.getByRole("status")).toHaveText(`Saved ${secretName}.`);
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Grants" }).click();
    const grantForm = page.getByRole("form", { name: "Add a grant" });
    await grantForm.getByLabel("Name", { exact: true }).fill(grantName);
    await grantForm.getByLabel("Secret").selectOption(secretName);
    await grantForm.getByLabel("Hosts").fill(upstreamName);
    await grantForm.getByLabel("Injected as").selectOption("header");
    await grantForm.getByLabel("Header name").fill("X-Api-Key");
    await grantForm.getByRole("button", { name: "Save grant" }).click();
    await expect(page.getByRole("status")).toHaveText(`Saved ${grantName}.`);

    // The run: the form's fields cannot hold a `node -e` command (its command runs under /bin/sh,
    // which the proxy image lacks), so it is pasted as a spec in the form's YAML tab.
    await page.goto("/runs/new");
    await page.getByRole("tab", { name: "Paste YAML" }).click();
    const yaml = JSON.stringify({
      name: `egress-${grantName}`,
      image: egress.proxyImage,
      command: ["node", "-e", clientScript],
      grants: [grantName],
      network: { policy: "strict" },
    });
    await page.getByLabel("Run spec (YAML or moat.yaml)").fill(yaml);
    await page.getByRole("button", { name: "Start run" }).click();
    await expect(page).toHaveURL(/\/runs\/(?!new$)[^/]+$/, { timeout: 30_000 });
    runId = page.url().split("/").at(-1)!;

    const stateOf = async () => (await (await request.get(`/api/v1/runs/${runId}`, { headers })).json()).run as { state: string; stateReason: string | null };
    await expect.poll(async () => (await stateOf()).state, { timeout: 180_000, intervals: [1000] }).toMatch(/^(succeeded|failed|cancelled|lost)$/);
    expect(await stateOf()).toMatchObject({ state: "succeeded" });
    await expect(page.getByTestId("run-logs")).toContainText("granted: HTTP/1.1 200 OK");
    await expect(page.getByTestId("run-logs")).toContainText("denied: 403");
    const log = page.getByTestId("run-egress");
    await expect(log.locator("tr[data-decision]")).toHaveCount(2, { timeout: 30_000 });
    const allowed = log.locator(`tr[data-egress-host="${upstreamName}:443"]`);
    await expect(allowed).toHaveAttribute("data-decision", "allowed");
    await expect(allowed).toContainText(`grant ${grantName}`);
    const denied = log.locator('tr[data-decision="denied"]');
    await expect(denied).toHaveCount(1);
    await expect(denied).toHaveAttribute("data-egress-host", "denied.example.test:443");
    await expect(log.getByTestId("run-egress-totals")).toContainText("Connections allowed: 1, denied: 1");
    await page.screenshot({ path: test.info().outputPath("run-egress-live.png") });

    // What the run printed, and what the upstream received: the key, added by the proxy.
    const logs = await (await request.get(`/api/v1/runs/${runId}/logs`, { headers })).text();
    const received = (await egress.upstream.requests()).filter((seen) => seen.url === "/e2e");
    expect(received).toHaveLength(1);
    expect(received[0]!.headers["x-api-key"]).toBe(secretValue);
    expect(await page.content()).not.toContain(secretValue);
    expect(logs).not.toContain(secretValue);
  } finally {
    if (runId) await request.delete(`/api/v1/runs/${runId}`, { headers }).catch(() => undefined);
    await egress.stop();
  }
});
