import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { TRPCError } from "@trpc/server";
import fc from "fast-check";
import { createSecretsKeyFile, HostConnections } from "@bailey/core";
import { createPrismaClient, type PrismaClient } from "@bailey/db";
import { migrateDatabase } from "@bailey/db/admin";
import { createScratchDatabase, type ScratchDatabase } from "@bailey/db/testing";
import { appRouter, createCaller } from "../src";

const runsPerProcedure = Number(process.env.BAILEY_FUZZ_RUNS ?? 2000);

/** Valid-looking inputs per procedure, for mutations to start from (unknown paths start from {}). */
const seeds: Record<string, unknown> = {
  "runs.list": { limit: 10, state: "running", q: "x" },
  "runs.get": { id: "run-id" },
  "runs.create": { image: "bailey-test/busybox:latest", command: ["true"], env: { A: "1" }, resources: { memory: "64m" } },
  "runs.createFromYaml": { yaml: "image: bailey-test/busybox:latest\nenv: { A: '1' }\n" },
  "runs.stop": { id: "run-id" },
  "runs.destroy": { id: "run-id" },
  "runs.logs": { id: "run-id", maxBytes: 4096 },
  "hosts.get": { id: "host-id" },
  "hosts.activity": { id: "host-id" },
  "hosts.add": { name: "fuzz", address: "127.0.0.1", sshPort: 1, hostKeyFingerprint: `SHA256:${"A".repeat(43)}`, labels: { a: "b" } },
  "hosts.createEnrollment": { name: "fuzz", labels: { a: "b" }, capacityRuns: 2, expiresInMinutes: 10 },
  "hosts.enroll": { token: `blye_${"a".repeat(43)}`, address: "127.0.0.1", sshPort: 1, hostKeyFingerprint: `SHA256:${"A".repeat(43)}` },
  "hosts.drain": { id: "host-id" },
  "hosts.resume": { id: "host-id" },
  "hosts.remove": { id: "host-id" },
  "hosts.pullImage": { image: "bailey-test/busybox:latest", labels: { a: "b" } },
  "hosts.imagePulls": { hostId: "host-id", limit: 10 },
  "tokens.create": { name: "fuzz", scopes: ["runs:read"] },
  "tokens.revoke": { id: "token-id" },
  "audit.list": { limit: 10, action: "run.created" },
  "team.changeRole": { id: "membership-id", role: "member" },
  "team.remove": { id: "membership-id" },
  "team.createInvite": { role: "viewer", expiresInDays: 2 },
  "team.revokeInvite": { id: "invite-id" },
  "invites.preview": { token: `blyi_${"a".repeat(43)}` },
  "invites.accept": { token: `blyi_${"a".repeat(43)}` },
  "invites.register": { token: `blyi_${"a".repeat(43)}`, email: "a@b.c", password: "long enough password" },
  "registries.save": { registry: "registry.fuzz.test:5000", username: "fuzz", password: "fuzz-password" },
  "registries.remove": { id: "credential-id" },
  "secrets.create": { name: "FUZZ_SECRET", value: "fuzz-value", description: "fuzz" },
  "secrets.update": { id: "secret-id", value: "fuzz-value", description: null },
  "secrets.delete": { id: "secret-id" },
  "grants.create": { name: "fuzz-grant", secretName: "FUZZ_SECRET", hosts: ["api.fuzz.test", "*.fuzz.test:8443"], inject: { kind: "header", header: "X-Fuzz" }, description: "fuzz" },
  "grants.update": { id: "grant-id", secretName: "FUZZ_SECRET", hosts: ["api.fuzz.test"], inject: { kind: "basic", username: "fuzz" }, description: null },
  "grants.delete": { id: "grant-id" },
  "runs.egress": { id: "run-id" },
  // Port 9 (discard) on loopback: allowed, and nothing in this test sends to it.
  "webhooks.create": { url: "http://127.0.0.1:9/fuzz", events: ["run.succeeded", "host.offline"], description: "fuzz" },
  "webhooks.update": { id: "webhook-id", url: "https://hooks.fuzz.test/x", events: ["*"], description: null, enabled: false },
  "webhooks.get": { id: "webhook-id" },
  "webhooks.rotateSecret": { id: "webhook-id" },
  "webhooks.delete": { id: "webhook-id" },
  "webhooks.deliveries": { id: "webhook-id", limit: 10, before: "2026-01-01T00:00:00.000Z" },
  "webhooks.redeliver": { id: "delivery-id" },
  "webhooks.sendTest": { id: "webhook-id" },
  "pools.list": { hostId: "host-id" },
  "pools.create": { hostId: "host-id", image: "bailey-test/busybox:latest", sandbox: "gvisor", resources: { cpus: 1, memoryBytes: 67108864, pids: 64 }, size: 2, idleCommand: ["sleep", "infinity"] },
  "pools.update": { id: "pool-id", size: 3, idleCommand: null },
  "pools.delete": { id: "pool-id" },
};

// Values that try to escape or overflow: paths, shell, NUL, SQL, prototypes, sheer size.
const nasty = fc.constantFrom<unknown>(
  "../../etc/passwd",
  "$(rm -rf /)",
  "`id`",
  "a\u0000b",
  "' OR 1=1 --",
  "__proto__",
  "constructor",
  "x".repeat(100_000),
  "\u202e",
  -1,
  0,
  2 ** 53,
  Number.NaN,
  Infinity,
  -0,
  null,
  [],
  {},
  { __proto__: { polluted: true } },
  new Date(Number.NaN),
  BigInt(1),
);

const value = fc.oneof(fc.anything({ maxDepth: 3 }), nasty, fc.string({ maxLength: 300 }), fc.integer());

/** A seed with one field replaced, one unknown field added, or nested values broken. */
function mutations(seed: unknown) {
  const keys = seed && typeof seed === "object" ? Object.keys(seed) : [];
  if (!keys.length) return fc.oneof(value, fc.constant(undefined), fc.dictionary(fc.string({ maxLength: 20 }), value, { maxKeys: 3 }));
  return fc.oneof(
    value,
    fc.record({ key: fc.constantFrom(...keys), replacement: value }).map(({ key, replacement }) => ({ ...(seed as object), [key]: replacement })),
    fc.record({ key: fc.string({ maxLength: 20 }), extra: value }).map(({ key, extra }) => ({ ...(seed as object), [key]: extra })),
    fc.constantFrom(...keys).map((key) => Object.fromEntries(Object.entries(seed as object).filter(([name]) => name !== key))),
    fc.record({ key: fc.constantFrom(...keys), inner: fc.string({ maxLength: 20 }), replacement: value }).map(({ key, inner, replacement }) => {
      const nested = (seed as Record<string, unknown>)[key];
      return { ...(seed as object), [key]: nested && typeof nested === "object" && !Array.isArray(nested) ? { ...nested, [inner]: replacement } : [replacement] };
    }),
  );
}

describe(`hostile input: ${runsPerProcedure} generated and mutated inputs against every tRPC procedure`, () => {
  let db: ScratchDatabase;
  let prisma: PrismaClient;
  let userId = "";
  let keyDir = "";
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  // No SSH key: a host "added" by the fuzzer fails at once instead of dialling random addresses.
  const connections = new HostConnections({});

  before(async () => {
    process.on("unhandledRejection", onUnhandled);
    // Credentials the fuzzer saves are sealed with a key of its own, never one in the working directory.
    keyDir = await mkdtemp(join(tmpdir(), "bailey-fuzz-secrets-"));
    process.env.BAILEY_SECRETS_KEY_FILE = createSecretsKeyFile(join(keyDir, "secrets-key")).file;
    db = await createScratchDatabase();
    await migrateDatabase(db.url);
    prisma = createPrismaClient(db.url, { maxConnections: 4 });
    userId = (await prisma.user.create({ data: { email: "fuzz@example.com" } })).id;
    const team = await prisma.team.create({ data: { slug: "fuzz", name: "Fuzz" } });
    await prisma.membership.create({ data: { teamId: team.id, userId, role: "owner" } });
  });
  after(async () => {
    process.off("unhandledRejection", onUnhandled);
    connections.close();
    await prisma.$disconnect();
    await db.drop();
    await rm(keyDir, { recursive: true, force: true });
  });

  const paths = Object.keys(appRouter._def.procedures as object);
  for (const path of paths) {
    it(`${path} never fails with a server error`, { timeout: 240_000 }, async () => {
      const [area, name] = path.split(".") as [string, string];
      const caller = createCaller({ prisma, user: { id: userId, email: "fuzz@example.com" }, connections, installCommand: ({ token }) => `install ${token}` }) as unknown as Record<
        string,
        Record<string, (input: unknown) => Promise<unknown>>
      >;
      const seen = new Map<string, number>();
      await fc.assert(
        fc.asyncProperty(mutations(seeds[path] ?? {}), async (input) => {
          try {
            await caller[area]![name]!(input);
            seen.set("ok", (seen.get("ok") ?? 0) + 1);
          } catch (error) {
            assert.ok(error instanceof TRPCError, `${path} threw a non-tRPC error for ${safe(input)}: ${String(error)}`);
            assert.notEqual(error.code, "INTERNAL_SERVER_ERROR", `${path} answered 500 for ${safe(input)}: ${error.message} ${String(error.cause)}`);
            seen.set(error.code, (seen.get(error.code) ?? 0) + 1);
          }
        }),
        { numRuns: runsPerProcedure },
      );
      assert.equal(
        [...seen.values()].reduce((sum, count) => sum + count, 0),
        runsPerProcedure,
      );
      assert.deepEqual(unhandled, [], "no unhandled rejection");
    });
  }
});

function safe(input: unknown): string {
  try {
    return JSON.stringify(input, (_key, inner) => (typeof inner === "bigint" ? `${inner}n` : inner))?.slice(0, 300) ?? String(input);
  } catch {
    return String(input);
  }
}
