import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { APIRequestContext } from "@playwright/test";
import { createApiToken } from "@bailey/core";
import { createPrismaClient, type PrismaClient } from "@bailey/db";
import { pushUniqueTestImage, registryRequests, requireTestRegistries } from "@bailey/runtime/testing";
import { expect, test } from "../../fixtures/test";

const env = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is unset: run through \`npm test\`.`);
  return value;
};

type Run = { id: string; state: string; stateReason: string | null; lastError: string | null; imageDigest?: string | null };

async function waitForEnd(request: APIRequestContext, headers: Record<string, string>, id: string): Promise<Run> {
  let run = { state: "" } as Run;
  for (let i = 0; i < 240; i++) {
    run = (await (await request.get(`/api/v1/runs/${id}`, { headers })).json()).run;
    if (["succeeded", "failed", "cancelled", "lost", "timed_out"].includes(run.state)) return run;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`run ${id} stayed ${run.state} (${run.lastError ?? ""})`);
}

/** Every file under a directory, as text (the agent's state: run records, journal). */
function filesUnder(dir: string): { file: string; text: string }[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: "utf8" }).flatMap((name) => {
    const file = path.join(dir, name);
    return statSync(file).isFile() ? [{ file, text: readFileSync(file, "latin1") }] : [];
  });
}

async function allRows(prisma: PrismaClient): Promise<string> {
  const tables = await prisma.$queryRaw<{ name: string }[]>`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`;
  const parts: string[] = [];
  for (const { name } of tables) {
    const rows = await prisma.$queryRawUnsafe<{ row: string }[]>(`SELECT row_to_json(t)::text AS row FROM "${name.replaceAll('"', '""')}" t`);
    parts.push(...rows.map((row) => row.row));
  }
  return parts.join("\n");
}

// The automation team owns the e2e host (seed-api.ts); its admin saves the team's credential.
test("a private image: without credentials the run fails naming the registry and 'unauthorized'; with the team's credential it succeeds; the password is nowhere", async ({ request }) => {
  test.setTimeout(180_000);
  const registries = await requireTestRegistries();
  const secret = registries.private.credentials!;
  const repository = `bailey/creds-${randomBytes(5).toString("hex")}`;
  const pushed = await pushUniqueTestImage(registries.private, repository);

  const prisma = createPrismaClient(env("BAILEY_E2E_DATABASE_URL"), { maxConnections: 2 });
  try {
    const team = await prisma.team.findUniqueOrThrow({ where: { slug: "e2e-automation" } });
    const admin = await prisma.user.findUniqueOrThrow({ where: { email: "automation@e2e.bailey.test" } });
    const ctx = { teamId: team.id, role: "admin" as const, actor: { type: "user" as const, userId: admin.id } };
    const { token } = await createApiToken({ prisma, ctx, name: `private-registry-${repository}`, scopes: ["runs:read", "runs:write", "registries:read", "registries:write", "audit:read"] });
    const headers = { authorization: `Bearer ${token}` };
    await prisma.registryCredential.deleteMany({ where: { teamId: team.id, registry: registries.private.address } });

    const anonymous = await request.post("/api/v1/runs", { headers, data: { image: pushed.reference, command: ["true"], name: "private-anonymous" } });
    expect(anonymous.status(), await anonymous.text()).toBe(201);
    const refused = await waitForEnd(request, headers, (await anonymous.json()).run.id);
    expect(refused.state).toBe("failed");
    const why = `${refused.stateReason ?? ""} ${refused.lastError ?? ""}`;
    expect(why).toContain(registries.private.address);
    expect(why.toLowerCase()).toContain("unauthorized");

    const saved = await request.post("/api/v1/registry-credentials", { headers, data: { registry: registries.private.address, username: secret.username, password: secret.password } });
    expect(saved.status(), await saved.text()).toBe(201);
    expect(await saved.text()).not.toContain(secret.password);

    const authorized = await request.post("/api/v1/runs", { headers, data: { image: pushed.reference, command: ["sh", "-c", "cat /bailey-unique | wc -c"], name: "private-authorized" } });
    expect(authorized.status(), await authorized.text()).toBe(201);
    const runId = (await authorized.json()).run.id as string;
    const finished = await waitForEnd(request, headers, runId);
    expect(finished.state, `${finished.stateReason} ${finished.lastError}`).toBe("succeeded");
    const logs = await (await request.get(`/api/v1/runs/${runId}/logs`, { headers })).text();
    expect(logs).toContain("32");
    // The registry saw an authenticated manifest fetch of this repository.
    expect(registryRequests(registries.private, repository).some((entry) => entry.uri.includes("/manifests/") && entry.status === 200)).toBe(true);
    const listed = await (await request.get("/api/v1/registry-credentials", { headers })).json();
    expect(listed.credentials.find((credential: { registry: string }) => credential.registry === registries.private.address)?.lastUsedAt).toBeTruthy();

    // Nowhere in clear: Postgres, the API's answers, the audit export, the agent's state, the container, the server's log.
    const places: [string, string][] = [
      ["every Postgres row", await allRows(prisma)],
      ["the run over the API", await (await request.get(`/api/v1/runs/${runId}`, { headers })).text()],
      ["the refused run over the API", await (await request.get(`/api/v1/runs/${refused.id}`, { headers })).text()],
      ["the run's logs", logs],
      ["the credential list", JSON.stringify(listed)],
      ["the audit export", await (await request.get("/api/v1/audit/export", { headers })).text()],
      ["the Bailey server's log", readFileSync(path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../test-results/bailey-server.log"), "utf8")],
      ["the run's containers", execFileSync("sh", ["-c", `docker ps -aq --filter label=bailey.run-id=${runId} | xargs -r docker inspect`], { encoding: "utf8" })],
      ...filesUnder(path.join(env("BAILEY_E2E_DATA_DIR"), "e2e-ssh-host-state")).map(({ file, text }) => [`the agent's ${file}`, text] as [string, string]),
      ...filesUnder(path.join(homedir(), ".docker")).map(({ file, text }) => [file, text] as [string, string]),
    ];
    expect(places.some(([, text]) => text.includes(pushed.reference))).toBe(true);
    for (const [place, text] of places) expect(text.includes(secret.password), `the registry password is in ${place}`).toBe(false);

    await request.delete(`/api/v1/runs/${runId}`, { headers });
    await request.delete(`/api/v1/runs/${refused.id}`, { headers });
    await prisma.registryCredential.deleteMany({ where: { teamId: team.id, registry: registries.private.address } });
  } finally {
    await prisma.$disconnect();
  }
});
