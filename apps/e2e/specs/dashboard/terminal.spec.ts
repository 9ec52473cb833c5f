import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import http from "node:http";
import type { Page } from "@playwright/test";
import { hashPassword } from "@bailey/core";
import { createPrismaClient } from "@bailey/db";
import { expect, test } from "../../fixtures/test";

const env = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is unset: run the browser tests through \`npm test\` (its global setup starts Bailey).`);
  return value;
};
const auth = () => ({ authorization: `Bearer ${env("BAILEY_E2E_API_TOKEN")}` });

/** A raw WebSocket upgrade from Node, to read the status a browser cannot see. */
function upgradeStatus(url: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, {
      headers: { ...headers, connection: "Upgrade", upgrade: "websocket", "sec-websocket-version": "13", "sec-websocket-key": randomBytes(16).toString("base64") },
    });
    request.on("upgrade", (response, socket) => {
      socket.destroy();
      resolve({ status: response.statusCode ?? 101, body: "" });
    });
    request.on("response", (response) => {
      let body = "";
      response.on("data", (chunk: Buffer) => (body += chunk));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
    });
    request.on("error", reject);
  });
}

async function typeLine(page: Page, line: string) {
  await page.getByTestId("terminal-screen").click();
  await page.keyboard.type(line);
  await page.keyboard.press("Enter");
}

// A gVisor run on the e2e SSH host (Automation team); a member opens its terminal, a viewer cannot.
test("the run page's terminal: echo $HOSTNAME, a network blip resumes the same shell, a resize changes stty size, viewers are refused, sessions are audited, stopping the run closes it", async ({
  page,
  browser,
  signInPage,
}) => {
  test.setTimeout(120_000);
  const suffix = randomBytes(4).toString("hex");
  const member = { email: `terminal-${suffix}@e2e.bailey.test`, password: `terminal password ${suffix}` };
  const viewer = { email: `terminal-viewer-${suffix}@e2e.bailey.test`, password: `viewer password ${suffix}` };
  const prisma = createPrismaClient(env("BAILEY_E2E_DATABASE_URL"), { maxConnections: 2 });
  try {
    const team = await prisma.team.findUniqueOrThrow({ where: { slug: "e2e-automation" } });
    let memberId = "";
    for (const [account, role] of [
      [member, "member"],
      [viewer, "viewer"],
    ] as const) {
      const user = await prisma.user.create({ data: { email: account.email, name: role, passwordHash: await hashPassword(account.password) } });
      await prisma.membership.create({ data: { teamId: team.id, userId: user.id, role } });
      if (role === "member") memberId = user.id;
    }

    const created = await page.request.post("/api/v1/runs", {
      headers: auth(),
      data: { image: "bailey-test/busybox:latest", name: `terminal-${suffix}`, sandbox: "gvisor", command: ["sh", "-c", "while true; do sleep 1; done"] },
    });
    expect(created.status(), await created.text()).toBe(201);
    const runId = (await created.json()).run.id as string;

    // Every WebSocket the page opens, so the test can cut one and keep new ones from connecting, as a network blip would.
    await page.addInitScript(() => {
      const Native = window.WebSocket;
      const sockets: WebSocket[] = [];
      const w = window as unknown as { baileyNetworkDown: boolean; baileySockets: WebSocket[] };
      w.baileySockets = sockets;
      w.baileyNetworkDown = false;
      window.WebSocket = class extends Native {
        constructor(url: string | URL, protocols?: string | string[]) {
          // While "down": a path the server drops without an answer, as a dead network would.
          super(w.baileyNetworkDown ? `${url}-network-down` : url, protocols);
          sockets.push(this);
        }
      };
    });
    await signInPage.goto();
    await signInPage.signIn(member.email, member.password);
    await expect(page).toHaveURL(/\/runs$/);
    await page.goto(`/runs/${runId}`);
    await page.getByRole("tab", { name: "Terminal" }).click({ timeout: 60_000 });
    const terminal = page.getByTestId("run-terminal");
    const screen = page.locator('[data-testid="terminal-screen"] .xterm-rows');
    await page.getByRole("button", { name: "Start shell" }).click();
    await expect(terminal).toHaveAttribute("data-state", "open", { timeout: 20_000 });
    await expect(terminal).toHaveAttribute("data-input", "enabled");

    // The container's own hostname, as Docker knows it.
    const run = (await (await page.request.get(`/api/v1/runs/${runId}`, { headers: auth() })).json()).run as { containerId: string };
    const hostname = execFileSync("docker", ["inspect", "-f", "{{.Config.Hostname}}", run.containerId], { encoding: "utf8" }).trim();
    expect(hostname).not.toBe("");
    await typeLine(page, "echo host=$HOSTNAME");
    await expect(screen).toContainText(`host=${hostname}`);
    // A network blip: the socket drops and reconnecting fails for a few seconds (the page's
    // WebSocket constructor is pointed at a dead end meanwhile; Chromium's offline mode leaves
    // sockets alone); the session waits on the host, and the page resumes it with what the shell
    // printed meanwhile, in the same shell (its variable is still set).
    await typeLine(page, "blip=kept; (sleep 2; echo printed-while-away) &");
    await page.evaluate(() => {
      const w = window as unknown as { baileyNetworkDown: boolean; baileySockets: WebSocket[] };
      w.baileyNetworkDown = true;
      w.baileySockets.at(-1)?.close(4000, "network blip");
    });
    await expect(terminal).toHaveAttribute("data-state", "reconnecting", { timeout: 20_000 });
    await page.waitForTimeout(3_000);
    await page.evaluate(() => {
      (window as unknown as { baileyNetworkDown: boolean }).baileyNetworkDown = false;
      window.dispatchEvent(new Event("online"));
    });
    await expect(terminal).toHaveAttribute("data-state", "open", { timeout: 30_000 });
    await expect(screen).toContainText("printed-while-away");
    await typeLine(page, "echo blip=$blip");
    await expect(screen).toContainText("blip=kept");
    const resumes = await prisma.auditEvent.findMany({ where: { runId, action: { in: ["exec.detached", "exec.resumed"] } }, orderBy: { seq: "asc" } });
    expect(resumes.map((event) => event.action)).toEqual(["exec.detached", "exec.resumed"]);

    // The same output in the shared log viewer, and back.
    await page.getByRole("button", { name: "Scrollback" }).click();
    await expect(page.getByTestId("terminal-scrollback")).toContainText(`host=${hostname}`);
    await page.getByRole("button", { name: "Terminal", exact: true }).click();

    // stty size is "rows cols": the terminal's grid, and a smaller window makes it smaller.
    const sizeOf = async () => ({ rows: Number(await terminal.getAttribute("data-rows")), cols: Number(await terminal.getAttribute("data-cols")) });
    const before = await sizeOf();
    await typeLine(page, "echo size=$(stty size)");
    await expect(screen).toContainText(`size=${before.rows} ${before.cols}`);
    await page.setViewportSize({ width: 700, height: 720 });
    await expect.poll(async () => (await sizeOf()).cols).toBeLessThan(before.cols);
    const after = await sizeOf();
    await typeLine(page, "clear; echo size=$(stty size)");
    await expect(screen).toContainText(`size=${after.rows} ${after.cols}`);

    // A viewer: the tab says why not, and the endpoint refuses them with 403.
    const viewerContext = await browser.newContext({ baseURL: env("BAILEY_E2E_BASE_URL") });
    try {
      const viewerPage = await viewerContext.newPage();
      await viewerPage.goto("/signin");
      await viewerPage.getByLabel("Email").fill(viewer.email);
      await viewerPage.getByLabel("Password").fill(viewer.password);
      await viewerPage.getByRole("button", { name: "Sign in" }).click();
      await expect(viewerPage).toHaveURL(/\/runs$/);
      await viewerPage.goto(`/runs/${runId}`);
      await viewerPage.getByRole("tab", { name: "Terminal" }).click();
      await expect(viewerPage.getByTestId("run-terminal")).toHaveAttribute("data-state", "forbidden");
      await expect(viewerPage.getByTestId("terminal-forbidden")).toContainText("Viewers cannot open a terminal");
      await expect(viewerPage.getByRole("button", { name: "Start shell" })).toBeDisabled();
      const cookie = (await viewerContext.cookies()).map((entry) => `${entry.name}=${entry.value}`).join("; ");
      const refused = await upgradeStatus(`${env("BAILEY_E2E_BASE_URL")}/api/v1/runs/${runId}/exec`, { cookie, origin: env("BAILEY_E2E_BASE_URL") });
      expect(refused.status, refused.body).toBe(403);
      const byToken = await upgradeStatus(`${env("BAILEY_E2E_BASE_URL")}/api/v1/runs/${runId}/exec`, { authorization: `Bearer ${env("BAILEY_E2E_VIEWER_TOKEN")}` });
      expect(byToken.status, byToken.body).toBe(403);
    } finally {
      await viewerContext.close();
    }

    // The shell exits: the session ends, and its start and end are in the audit log.
    await typeLine(page, "exit 0");
    await expect(terminal).toHaveAttribute("data-state", "ended", { timeout: 20_000 });
    await expect(screen).toContainText("[the process exited with code 0]");
    // Who, when, what and how long: exec.started names the command, exec.ended the exit and the duration.
    const execEvents = () => prisma.auditEvent.findMany({ where: { runId, action: { in: ["exec.started", "exec.ended"] } }, orderBy: { seq: "asc" } });
    await expect.poll(async () => (await execEvents()).map((event) => event.action), { timeout: 20_000 }).toEqual(["exec.started", "exec.ended"]);
    const [startedEvent, endedEvent] = await execEvents();
    expect(startedEvent!.actorId).toBe(memberId);
    expect(startedEvent!.data).toMatchObject({ command: ["/bin/sh"], tty: true });
    expect(endedEvent!.data).toMatchObject({ sessionId: (startedEvent!.data as { sessionId: string }).sessionId, exitCode: 0, reason: "exited" });
    expect((endedEvent!.data as { durationMs: number }).durationMs).toBeGreaterThan(0);

    // A new session, then the run is stopped: the terminal says so and takes no more input.
    await page.getByRole("button", { name: "New session" }).click();
    await expect(terminal).toHaveAttribute("data-state", "open", { timeout: 20_000 });
    await page.getByRole("button", { name: "Stop", exact: true }).click();
    await page.getByRole("button", { name: "Stop run" }).click();
    await expect(page.getByTestId("terminal-status")).toHaveText("the run ended", { timeout: 45_000 });
    // xterm.js stops rendering while it is scrolled out of view (the Stop button is at the top of the page).
    await page.getByTestId("terminal-screen").scrollIntoViewIfNeeded();
    await expect(screen).toContainText("[the run ended]");
    await expect(terminal).toHaveAttribute("data-input", "disabled");
    await page.screenshot({ path: test.info().outputPath("terminal-ended.png"), fullPage: true });
  } finally {
    await prisma.$disconnect();
  }
});
