import { execFileSync } from "node:child_process";
import { readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chainHash } from "@bailey/core";
import { createPrismaClient } from "@bailey/db";
import { expect, test } from "../../fixtures/test";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../..");

function verifyOffline(exportFile: string, publicKeyFile: string): { code: number; output: string } {
  try {
    return {
      code: 0,
      output: execFileSync(process.execPath, ["--import", "tsx", path.join(root, "packages/core/src/audit/cli/verify-export.ts"), exportFile, "--public-key", publicKeyFile], {
        cwd: root,
        encoding: "utf8",
      }),
    };
  } catch (error) {
    const failed = error as { status: number; stdout: string };
    return { code: failed.status, output: failed.stdout };
  }
}

type Line = { kind?: "checkpoint" | "head"; id: string; seq: number; teamId: string; hash: string; prevHash: string; data: unknown; keyId?: string };

test("the audit page shows the signing key and the signature status; an export verifies offline; a recomputed chain is caught", async ({ page, owner, signInPage }, testInfo) => {
  const dataDir = process.env.BAILEY_E2E_DATA_DIR!;
  expect(statSync(path.join(dataDir, "audit-signing-key")).mode & 0o777, "the launcher keeps the private key owner-only").toBe(0o600);
  await signInPage.goto();
  await signInPage.signIn(owner.email, owner.password);
  await expect(page).toHaveURL(/\/runs$/);
  // Something for the owner's team's chain to hold: making tokens is audited.
  await page.goto("/tokens");
  for (const name of ["audit-signed-1", "audit-signed-2"]) {
    await page.getByLabel("Name", { exact: true }).fill(name);
    await page.getByRole("button", { name: "Create token" }).click();
    await page.getByRole("button", { name: "Done" }).click();
  }
  await page.goto("/audit");
  await expect(page.locator('tr[data-action="token.created"]').first()).toBeVisible();

  // The public key, as an operator copies it off the page.
  const keyPanel = page.getByTestId("audit-public-key");
  await keyPanel.locator("summary").click();
  const publicKeyPem = (await keyPanel.locator("pre").textContent())!;
  expect(publicKeyPem.trim()).toBe(readFileSync(path.join(dataDir, "audit-signing-key.pub"), "utf8").trim());
  const publicKeyFile = testInfo.outputPath("copied.pub");
  writeFileSync(publicKeyFile, publicKeyPem);

  // The export from the page's link is signed and verifies with only that key.
  const download = page.waitForEvent("download");
  await page.getByRole("link", { name: "Export as JSON lines" }).click();
  const exportFile = testInfo.outputPath("bailey-audit.jsonl");
  await (await download).saveAs(exportFile);
  const offline = verifyOffline(exportFile, publicKeyFile);
  expect(offline.code, offline.output).toBe(0);
  expect(offline.output).toMatch(/^valid: \d+ events/);

  const lines = readFileSync(exportFile, "utf8")
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as Line);
  const head = lines.at(-1)!;
  expect(head.kind).toBe("head");
  expect(head.seq).toBeGreaterThanOrEqual(2);
  const keyId = head.keyId!;
  await expect(keyPanel).toContainText(keyId.slice(0, 16));

  await page.getByRole("button", { name: "Verify chain" }).click();
  await expect(page.getByTestId("verify-result")).toContainText("The chain is intact");
  const signatures = page.getByTestId("verify-signatures");
  await expect(signatures).toContainText(`Signed by key ${keyId.slice(0, 16)} through event #`);
  expect(Number(await signatures.getAttribute("data-signed-through"))).toBeGreaterThanOrEqual(head.seq);

  // A database-level rewrite: alter the event the export's checkpoint signed, recompute every later hash and the head.
  const events = lines.filter((line) => !line.kind);
  const victim = events.find((event) => event.seq === head.seq)!;
  const earlierCheckpoints = lines.filter((line) => line.kind === "checkpoint" && line.seq < head.seq).map((line) => line.seq);
  const firstUntrusted = (earlierCheckpoints.at(-1) ?? 0) + 1;
  const prisma = createPrismaClient(process.env.BAILEY_E2E_DATABASE_URL!, { maxConnections: 1 });
  const rows = await prisma.auditEvent.findMany({ where: { teamId: head.teamId, seq: { gte: victim.seq } }, orderBy: { seq: "asc" } });
  const originalHead = await prisma.auditChainHead.findUniqueOrThrow({ where: { teamId: head.teamId } });
  try {
    let prevHash = victim.prevHash;
    for (const row of rows) {
      const data = row.seq === victim.seq ? { forged: true } : row.data;
      const hash = chainHash(prevHash, { ...row, data });
      await prisma.$executeRaw`UPDATE "AuditEvent" SET "data" = ${JSON.stringify(data)}::jsonb, "prevHash" = ${prevHash}, "hash" = ${hash} WHERE "id" = ${row.id}`;
      prevHash = hash;
    }
    await prisma.$executeRaw`UPDATE "AuditChainHead" SET "hash" = ${prevHash} WHERE "teamId" = ${head.teamId}`;

    await page.getByRole("button", { name: "Verify chain" }).click();
    await expect(page.getByTestId("verify-result")).toContainText(`The chain is broken at event #${firstUntrusted}`);
    await expect(page.getByTestId("verify-result")).toContainText(`the checkpoint signed at event ${head.seq}`);
    await expect(signatures).toContainText("Signatures:");
    await testInfo.attach("tampered", { body: await page.screenshot(), contentType: "image/png" });
  } finally {
    for (const row of rows) await prisma.$executeRaw`UPDATE "AuditEvent" SET "data" = ${JSON.stringify(row.data)}::jsonb, "prevHash" = ${row.prevHash}, "hash" = ${row.hash} WHERE "id" = ${row.id}`;
    await prisma.$executeRaw`UPDATE "AuditChainHead" SET "hash" = ${originalHead.hash} WHERE "teamId" = ${head.teamId} AND "seq" = ${originalHead.seq}`;
    await prisma.$disconnect();
  }
  await page.getByRole("button", { name: "Verify chain" }).click();
  await expect(page.getByTestId("verify-result")).toContainText("The chain is intact");
});
