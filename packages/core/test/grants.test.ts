import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import type { AgentConnection } from "@bailey/agent-client";
import { createPrismaClient, type PrismaClient } from "@bailey/db";
import { migrateDatabase } from "@bailey/db/admin";
import { addScratchMember, createScratchDatabase, createScratchTeam, type ScratchDatabase } from "@bailey/db/testing";
import type { AgentEvent } from "@bailey/protocol";
import {
  AppError,
  createRun,
  createRunFromYaml,
  createSecretsKeyFile,
  createTeamGrant,
  createTeamSecret,
  deleteTeamGrant,
  deleteTeamSecret,
  HostConnections,
  ingestHostEvents,
  listRunEgress,
  listTeamGrants,
  type TeamContext,
  updateRunPolicy,
  updateTeamGrant,
  updateTeamSecret,
} from "../src";
import { dispatchOne } from "../src/scheduler/dispatch";

const image = "bailey-test/busybox:latest";

const refused = (code: string, pattern: RegExp) => (error: unknown) => {
  assert.ok(error instanceof AppError, `an AppError, not ${String(error)}`);
  assert.equal(error.code, code, error.message);
  assert.match(error.message, pattern);
  return true;
};

/**
 * Stands in for a host's agent on the far side of the connection: records each request (to see
 * exactly what run.create carried) and serves a journal of events. Everything else is real.
 */
class RecordingAgent {
  readonly requests: { method: string; params: Record<string, unknown> }[] = [];
  journal: AgentEvent[] = [];
  async request(method: string, params: Record<string, unknown>): Promise<unknown> {
    this.requests.push({ method, params });
    if (method === "run.start") return { containerId: `container-${params.runId}`, imageDigest: null, networkId: null, networkName: null, sidecars: [] };
    if (method === "events.pull") return { events: this.journal.filter((event) => event.seq > Number(params.afterSeq)).slice(0, Number(params.limit)) };
    return {};
  }
}

class RecordingConnections extends HostConnections {
  constructor(readonly agent: RecordingAgent) {
    super();
  }
  override get(): AgentConnection {
    return this.agent as unknown as AgentConnection;
  }
}

describe("grants, the team's egress policy and egress records (real Postgres)", () => {
  let db: ScratchDatabase;
  let prisma: PrismaClient;
  let dir = "";
  let admin: TeamContext;
  let member: TeamContext;
  let viewer: TeamContext;
  let hostId = "";
  const agent = new RecordingAgent();
  const connections = new RecordingConnections(agent);
  const githubValue = `ghp_${randomBytes(12).toString("hex")}`;
  const openaiValue = `sk-${randomBytes(12).toString("hex")}`;
  const previousKeyFile = process.env.BAILEY_SECRETS_KEY_FILE;

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "bailey-grants-"));
    process.env.BAILEY_SECRETS_KEY_FILE = createSecretsKeyFile(path.join(dir, "secrets-key")).file;
    db = await createScratchDatabase();
    await migrateDatabase(db.url);
    prisma = createPrismaClient(db.url);
    const { team, ctx } = await createScratchTeam(prisma, { role: "admin" });
    admin = ctx;
    member = (await addScratchMember(prisma, team.id, { role: "member" })).ctx;
    viewer = (await addScratchMember(prisma, team.id, { role: "viewer" })).ctx;
    hostId = (await prisma.host.create({ data: { teamId: team.id, name: "recorded", transport: "local", address: "/nonexistent/agent.sock", capacityRuns: 4, status: "online", hasRunsc: true } })).id;
    await createTeamSecret({ prisma, ctx: admin, name: "GITHUB_TOKEN", value: githubValue });
    await createTeamSecret({ prisma, ctx: admin, name: "OPENAI_KEY", value: openaiValue });
  });
  after(async () => {
    await prisma?.$disconnect();
    await db?.drop();
    await rm(dir, { recursive: true, force: true });
    if (previousKeyFile === undefined) delete process.env.BAILEY_SECRETS_KEY_FILE;
    else process.env.BAILEY_SECRETS_KEY_FILE = previousKeyFile;
  });

  /** Places a queued run on the recorded host and dispatches it, as the scheduler would. */
  const dispatch = async (runId: string) => {
    await prisma.run.update({ where: { id: runId }, data: { state: "provisioning", hostId, dispatchAttempts: 1 } });
    await dispatchOne(prisma, connections, runId);
    return prisma.run.findUniqueOrThrow({ where: { id: runId } });
  };

  it("admins create, update and delete grants; members and viewers list them; every bad input says what to do", async () => {
    const github = await createTeamGrant({
      prisma,
      ctx: admin,
      name: "github",
      secretName: "GITHUB_TOKEN",
      hosts: ["api.github.com", "*.githubusercontent.com"],
      inject: { kind: "basic", username: "x-access-token" },
      description: " GitHub for the bot ",
    });
    assert.equal(github.secretName, "GITHUB_TOKEN");
    assert.deepEqual(github.inject, { kind: "basic", username: "x-access-token" });
    assert.equal(github.description, "GitHub for the bot");
    assert.equal(github.createdBy?.id, admin.actor.userId);

    for (const ctx of [member, viewer]) {
      await assert.rejects(createTeamGrant({ prisma, ctx, name: "mine", secretName: "GITHUB_TOKEN", hosts: ["a.example"], inject: { kind: "bearer" } }), refused("FORBIDDEN", /admin role or higher/));
      await assert.rejects(updateTeamGrant({ prisma, ctx, grantId: github.id, hosts: ["evil.example"] }), refused("FORBIDDEN", /admin role or higher/));
      await assert.rejects(deleteTeamGrant({ prisma, ctx, grantId: github.id }), refused("FORBIDDEN", /admin role or higher/));
      assert.deepEqual(
        (await listTeamGrants({ prisma, ctx })).map((grant) => grant.name),
        ["github"],
      );
    }

    const create = (input: Partial<Parameters<typeof createTeamGrant>[0]>) =>
      createTeamGrant({ prisma, ctx: admin, name: "openai", secretName: "OPENAI_KEY", hosts: ["api.openai.com"], inject: { kind: "bearer" }, ...input });
    await assert.rejects(create({ name: "github" }), refused("CONFLICT", /already has a grant named "github": update that one, or pick another name/));
    await assert.rejects(create({ name: "-bad name" }), refused("BAD_REQUEST", /"-bad name" is not a grant name; use 1 to 64 characters/));
    await assert.rejects(create({ secretName: "NO_SUCH" }), refused("BAD_REQUEST", /no secret named "NO_SUCH"\. Create it on the Secrets page \(or POST \/api\/v1\/secrets\) first/));
    await assert.rejects(create({ hosts: [] }), refused("BAD_REQUEST", /List the hosts the grant's credential goes to/));
    await assert.rejects(create({ hosts: ["api.openai.com", "*.com"] }), refused("BAD_REQUEST", /hosts\[1\]: "\*\.com": a wildcard needs a domain of at least two labels/));
    await assert.rejects(create({ hosts: ["a.example", "A.example"] }), refused("BAD_REQUEST", /listed more than once/));
    await assert.rejects(create({ inject: { kind: "cookie" } }), refused("BAD_REQUEST", /inject\.kind must be bearer, header, basic or query/));
    await assert.rejects(create({ inject: { kind: "header", header: "X Bad" } }), refused("BAD_REQUEST", /inject\.header must be an HTTP header name/));
    await assert.rejects(create({ inject: { kind: "basic", username: "a:b" } }), refused("BAD_REQUEST", /cannot contain a colon/));
    await assert.rejects(create({ description: "x".repeat(501) }), refused("BAD_REQUEST", /Shorten the description to 500/));

    const openai = await create({ inject: { kind: "header", header: "X-Api-Key" } });
    const changed = await updateTeamGrant({ prisma, ctx: admin, grantId: openai.id, hosts: ["api.openai.com:443"], inject: { kind: "query", param: "key" }, description: "" });
    assert.deepEqual(changed.hosts, ["api.openai.com:443"]);
    assert.deepEqual(changed.inject, { kind: "query", param: "key" });
    assert.equal(changed.description, null);
    await assert.rejects(updateTeamGrant({ prisma, ctx: admin, grantId: openai.id }), refused("BAD_REQUEST", /Give at least one of secretName, hosts, inject or description/));
    await assert.rejects(updateTeamGrant({ prisma, ctx: admin, grantId: openai.id, secretName: "GONE" }), refused("BAD_REQUEST", /no secret named "GONE"/));

    const { ctx: outsider } = await createScratchTeam(prisma, { role: "owner" });
    await assert.rejects(updateTeamGrant({ prisma, ctx: outsider, grantId: openai.id, hosts: ["evil.example"] }), refused("NOT_FOUND", /Grant/));
    await assert.rejects(deleteTeamGrant({ prisma, ctx: outsider, grantId: openai.id }), refused("NOT_FOUND", /Grant/));
    assert.deepEqual(await listTeamGrants({ prisma, ctx: outsider }), []);
    // Another team's secret of the same name is not this team's.
    await assert.rejects(
      createTeamGrant({ prisma, ctx: outsider, name: "x", secretName: "GITHUB_TOKEN", hosts: ["a.example"], inject: { kind: "bearer" } }),
      refused("BAD_REQUEST", /no secret named/),
    );

    const actions = (await prisma.auditEvent.findMany({ where: { teamId: admin.teamId, action: { startsWith: "grant." } }, orderBy: { seq: "asc" } })).map((event) => [event.action, event.data]);
    assert.deepEqual(actions, [
      [
        "grant.created",
        { name: "github", secretName: "GITHUB_TOKEN", hosts: ["api.github.com", "*.githubusercontent.com"], inject: { kind: "basic", username: "x-access-token" }, description: "GitHub for the bot" },
      ],
      ["grant.created", { name: "openai", secretName: "OPENAI_KEY", hosts: ["api.openai.com"], inject: { kind: "header", header: "X-Api-Key" }, description: null }],
      [
        "grant.updated",
        {
          name: "openai",
          changed: { hosts: { from: ["api.openai.com"], to: ["api.openai.com:443"] }, inject: { from: { kind: "header", header: "X-Api-Key" }, to: { kind: "query", param: "key" } } },
        },
      ],
    ]);
  });

  it("a secret a grant uses cannot be deleted: 409 naming the grant; once the grant is gone it can", async () => {
    const secret = await createTeamSecret({ prisma, ctx: admin, name: "SHORT_LIVED", value: "short-lived-value" });
    const grant = await createTeamGrant({ prisma, ctx: admin, name: "short-lived", secretName: "SHORT_LIVED", hosts: ["short.example"], inject: { kind: "bearer" } });
    await assert.rejects(deleteTeamSecret({ prisma, ctx: admin, secretId: secret.id }), (error: unknown) => {
      refused("CONFLICT", /Secret "SHORT_LIVED" is used by grant short-lived\. Point it at another secret or delete it on the Grants page/)(error);
      assert.deepEqual((error as AppError).details, { grants: ["short-lived"] });
      return true;
    });
    assert.ok(await prisma.secret.findUnique({ where: { id: secret.id } }), "the secret is still there");
    await deleteTeamGrant({ prisma, ctx: admin, grantId: grant.id });
    await deleteTeamSecret({ prisma, ctx: admin, secretId: secret.id });
    assert.equal(await prisma.secret.findUnique({ where: { id: secret.id } }), null);
  });

  it("createRun refuses unknown or repeated grants, naming each; bad network entries name the field", async () => {
    await assert.rejects(createRun({ prisma, ctx: member, spec: { image, grants: ["github", "nope", "nada"] } }), (error: unknown) => {
      refused("BAD_REQUEST", /^The run names grants the team does not have: nope, nada\. An admin can create them on the Grants page \(or POST \/api\/v1\/grants\)/)(error);
      assert.deepEqual((error as AppError).details, { missingGrants: ["nope", "nada"] });
      return true;
    });
    await assert.rejects(createRun({ prisma, ctx: member, spec: { image, grants: ["github", "github"] } }), refused("BAD_REQUEST", /grants: github listed more than once/));
    await assert.rejects(createRun({ prisma, ctx: member, spec: { image, grants: ["../x"] } }), refused("BAD_REQUEST", /grants\.0: must be a grant name/));
    await assert.rejects(createRun({ prisma, ctx: member, spec: { image, network: { policy: "closed" } } }), refused("BAD_REQUEST", /network\.policy/));
    await assert.rejects(createRun({ prisma, ctx: member, spec: { image, network: { allow: ["http://x.example/"] } } }), refused("BAD_REQUEST", /network\.allow\.0: "http:\/\/x\.example\/"/));
    await assert.rejects(createRun({ prisma, ctx: member, spec: { image, network: { policy: "strict", deny: [] } } }), refused("BAD_REQUEST", /network: Unrecognized key/));
    assert.equal(await prisma.run.count({ where: { teamId: member.teamId } }), 0);
  });

  it("the stored spec says which egress policy ran: the spec's own, else the team's default at submission", async () => {
    const stored = async (spec: Record<string, unknown>) => ((await createRun({ prisma, ctx: member, spec: { image, ...spec } })).run.spec as { network?: unknown }).network;
    assert.equal(await stored({}), undefined, "an open default and no network: nothing to say");
    assert.deepEqual(await stored({ network: { allow: ["pypi.org"] } }), { policy: "open", allow: ["pypi.org"] });
    await updateRunPolicy({ prisma, ctx: admin, changes: { defaultEgressPolicy: "strict" } });
    assert.deepEqual(await stored({}), { policy: "strict", allow: [] });
    assert.deepEqual(await stored({ grants: ["github"], network: { allow: ["*.pypi.org"] } }), { policy: "strict", allow: ["*.pypi.org"] });
    assert.deepEqual(await stored({ network: { policy: "open" } }), { policy: "open", allow: [] }, "a spec's own policy wins over the default");
    const audit = await prisma.auditEvent.findFirstOrThrow({ where: { teamId: admin.teamId, action: "team.policy_changed" }, orderBy: { seq: "desc" } });
    assert.deepEqual(audit.data, { changed: { defaultEgressPolicy: { from: "open", to: "strict" } } });
    await assert.rejects(updateRunPolicy({ prisma, ctx: admin, changes: { defaultEgressPolicy: "closed" as "strict" } }), refused("BAD_REQUEST", /defaultEgressPolicy must be "open" or "strict"/));
    await assert.rejects(updateRunPolicy({ prisma, ctx: member, changes: { defaultEgressPolicy: "open" } }), refused("FORBIDDEN", /admin/));
    await updateRunPolicy({ prisma, ctx: admin, changes: { defaultEgressPolicy: "open" } });
    // moat.yaml's network arrives the same way.
    const { run } = await createRunFromYaml({ prisma, ctx: member, yaml: `agent: bot\nimage: ${image}\ngrants: [github]\nnetwork: { policy: strict, allow: [pypi.org] }\n` });
    assert.deepEqual((run.spec as { grants: unknown; network: unknown }).grants, ["github"]);
    assert.deepEqual((run.spec as { network: unknown }).network, { policy: "strict", allow: ["pypi.org"] });
  });

  it("dispatch sends each grant with its secret's value in run.create's credentials, and the spec only the names", async () => {
    const { run } = await createRun({ prisma, ctx: member, spec: { image, command: ["true"], grants: ["openai", "github"], network: { policy: "strict", allow: ["pypi.org"] } } });
    agent.requests.length = 0;
    const dispatched = await dispatch(run.id);
    assert.equal(dispatched.state, "running", dispatched.lastError ?? "");
    const create = agent.requests.find((request) => request.method === "run.create");
    assert.ok(create, `run.create was sent (sent: ${agent.requests.map((request) => request.method).join(", ")})`);
    const spec = create.params.spec as { grants: string[]; network: unknown };
    assert.deepEqual(spec.grants, ["openai", "github"]);
    assert.deepEqual(spec.network, { policy: "strict", allow: ["pypi.org"] });
    assert.deepEqual(create.params.credentials, {
      secrets: {},
      grants: [
        { name: "openai", hosts: ["api.openai.com:443"], inject: { kind: "query", param: "key" }, value: openaiValue },
        { name: "github", hosts: ["api.github.com", "*.githubusercontent.com"], inject: { kind: "basic", username: "x-access-token" }, value: githubValue },
      ],
    });
    assert.ok(!JSON.stringify(create.params.spec).includes(githubValue), "no value in the spec the agent stores");

    // A run without grants sends no grant credentials at all.
    const { run: plain } = await createRun({ prisma, ctx: member, spec: { image, command: ["true"] } });
    agent.requests.length = 0;
    await dispatch(plain.id);
    assert.equal(agent.requests.find((request) => request.method === "run.create")?.params.credentials, undefined);
  });

  it("a grant deleted while the run was queued fails the run at dispatch, naming it; so does a secret value no header can carry", async () => {
    const doomedSecret = await createTeamSecret({ prisma, ctx: admin, name: "DOOMED", value: "doomed-value" });
    const doomed = await createTeamGrant({ prisma, ctx: admin, name: "doomed", secretName: "DOOMED", hosts: ["doomed.example"], inject: { kind: "bearer" } });
    const { run } = await createRun({ prisma, ctx: member, spec: { image, command: ["true"], grants: ["doomed"] } });
    await deleteTeamGrant({ prisma, ctx: admin, grantId: doomed.id });
    agent.requests.length = 0;
    const failed = await dispatch(run.id);
    assert.equal(failed.state, "failed");
    assert.match(failed.lastError ?? "", /The run's grants could not be read: The run names a grant the team does not have: doomed/);
    assert.equal(
      agent.requests.find((request) => request.method === "run.create"),
      undefined,
      "nothing was created on the host",
    );

    await updateTeamSecret({ prisma, ctx: admin, secretId: doomedSecret.id, value: "line one\nline two" });
    await createTeamGrant({ prisma, ctx: admin, name: "multiline", secretName: "DOOMED", hosts: ["doomed.example"], inject: { kind: "bearer" } });
    const { run: multiline } = await createRun({ prisma, ctx: member, spec: { image, command: ["true"], grants: ["multiline"] } });
    const refusedRun = await dispatch(multiline.id);
    assert.equal(refusedRun.state, "failed");
    assert.match(refusedRun.lastError ?? "", /Grant multiline uses secret "DOOMED", whose value is empty or holds a line break/);
    assert.ok(!(refusedRun.lastError ?? "").includes("line one"), "the error does not quote the value");
  });

  it("egress events add up per run, host, port and decision; only denials are audited; a re-pull changes nothing", async () => {
    const { run } = await createRun({ prisma, ctx: member, spec: { image, command: ["true"], grants: ["github"] } });
    await dispatch(run.id);
    const at = (second: number) => new Date(Date.UTC(2026, 11, 5, 12, 0, second)).toISOString();
    const event = (seq: number, type: AgentEvent["type"], data: Record<string, unknown>, second = seq): AgentEvent => ({ seq, at: at(second), type, runId: run.id, data });
    agent.journal = [
      event(1, "egress.allowed", { host: "api.github.com", port: 443, via: "github", bytesIn: 1000, bytesOut: 200 }),
      event(2, "egress.allowed", { host: "api.github.com", port: 443, via: "github", bytesIn: 500, bytesOut: 50 }),
      event(3, "egress.denied", { host: "evil.example", port: 443, reason: "evil.example is not in network.allow or any grant's hosts" }),
      event(4, "egress.allowed", { host: "pypi.org", port: 443, via: "allow", bytesIn: 7, bytesOut: 3 }),
      event(5, "egress.denied", { host: "evil.example", port: 443, reason: "evil.example is not in network.allow or any grant's hosts" }),
      event(6, "egress.denied", { host: "evil.example", port: 80, reason: "evil.example is not in network.allow or any grant's hosts" }),
    ];
    const host = await prisma.host.findUniqueOrThrow({ where: { id: hostId } });
    assert.equal(await ingestHostEvents({ prisma, connections, host }), 6);

    const egress = await listRunEgress({ prisma, ctx: viewer, runId: run.id });
    assert.deepEqual(egress.totals, { allowed: 3, denied: 3 });
    assert.deepEqual(
      egress.egress.map(({ host, port, decision, via, connections, bytesIn, bytesOut, firstAt, lastAt }) => [
        host,
        port,
        decision,
        via,
        connections,
        bytesIn,
        bytesOut,
        firstAt.toISOString(),
        lastAt.toISOString(),
      ]),
      [
        ["evil.example", 80, "denied", null, 1, 0, 0, at(6), at(6)],
        ["evil.example", 443, "denied", null, 2, 0, 0, at(3), at(5)],
        ["pypi.org", 443, "allowed", "allow", 1, 7, 3, at(4), at(4)],
        ["api.github.com", 443, "allowed", "github", 2, 1500, 250, at(1), at(2)],
      ],
    );
    assert.match(egress.egress[0]?.reason ?? "", /not in network\.allow/);

    const audited = await prisma.auditEvent.findMany({ where: { runId: run.id, action: { startsWith: "agent.egress" } }, orderBy: { seq: "asc" } });
    assert.deepEqual(
      audited.map((entry) => [entry.action, (entry.data as { port: number }).port]),
      [
        ["agent.egress.denied", 443],
        ["agent.egress.denied", 443],
        ["agent.egress.denied", 80],
      ],
    );
    assert.equal(await prisma.hostEvent.count({ where: { runId: run.id, type: "egress.allowed" } }), 3, "allowed events are kept in HostEvent");

    // The agent's cursor is lost and the whole journal comes again: nothing is counted twice.
    await prisma.host.update({ where: { id: hostId }, data: { eventCursor: 0n } });
    assert.equal(await ingestHostEvents({ prisma, connections, host: await prisma.host.findUniqueOrThrow({ where: { id: hostId } }) }), 0);
    assert.deepEqual((await listRunEgress({ prisma, ctx: viewer, runId: run.id })).totals, { allowed: 3, denied: 3 });
    assert.equal(await prisma.auditEvent.count({ where: { runId: run.id, action: "agent.egress.denied" } }), 3);

    const { ctx: outsider } = await createScratchTeam(prisma, { role: "owner" });
    await assert.rejects(listRunEgress({ prisma, ctx: outsider, runId: run.id }), refused("NOT_FOUND", /Run/));
  });

  it("no grant's secret value is in any row, audit event or grant listing", async () => {
    const tables = await prisma.$queryRaw<{ name: string }[]>`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`;
    let dump = "";
    for (const { name } of tables) {
      const rows = await prisma.$queryRawUnsafe<{ row: string }[]>(`SELECT row_to_json(t)::text AS row FROM "${name.replaceAll('"', '""')}" t`);
      dump += rows.map((row) => row.row).join("\n");
    }
    assert.ok(dump.includes("api.github.com") && dump.includes("grant.created"), "the dump holds the grants and their audit");
    const listing = JSON.stringify(await listTeamGrants({ prisma, ctx: admin }));
    for (const value of [githubValue, openaiValue]) {
      assert.ok(!dump.includes(value), "no value in any row");
      assert.ok(!listing.includes(value), "no value in the listing");
    }
  });
});
