import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { createPrismaClient, type Prisma, type PrismaClient } from "@bailey/db";
import { migrateDatabase } from "@bailey/db/admin";
import { createScratchDatabase, type ScratchDatabase } from "@bailey/db/testing";
import { explainQueuedRuns, placeQueuedRuns } from "../src";

describe("docker:host under gVisor goes only to hosts with runsc-host-uds (real Postgres)", () => {
  let db: ScratchDatabase;
  let prisma: PrismaClient;

  before(async () => {
    db = await createScratchDatabase();
    await migrateDatabase(db.url);
    prisma = createPrismaClient(db.url);
  });
  after(async () => {
    await prisma.$disconnect();
    await db.drop();
  });

  const newTeam = () => prisma.team.create({ data: { slug: `dh-${randomBytes(4).toString("hex")}`, name: "Docker host" } });
  const addHost = (teamId: string, data: Partial<Prisma.HostUncheckedCreateInput> & { name: string }) =>
    prisma.host.create({
      data: {
        teamId,
        address: "127.0.0.1",
        status: "online",
        capacityRuns: 4,
        hasRunsc: true,
        hasNetworks: true,
        hasSidecars: true,
        allowedCapabilities: ["docker:host", "sandbox:none"],
        lastSeenAt: new Date(),
        ...data,
      },
    });
  const queue = (teamId: string, data: Partial<Prisma.RunUncheckedCreateInput> = {}) => prisma.run.create({ data: { teamId, spec: {}, image: "x", dependencies: [], ...data } });
  const read = (id: string) => prisma.run.findUniqueOrThrow({ where: { id } });

  it("a host without it is skipped and named with what it lacks; sandbox none and plain gVisor runs still go there", async () => {
    const team = await newTeam();
    const host = await addHost(team.id, { name: "hb-no-uds" });
    const sandboxed = await queue(team.id, { dependencies: ["docker:host"] });
    const unsandboxed = await queue(team.id, { dependencies: ["docker:host"], sandbox: "none" });
    const plain = await queue(team.id);
    await placeQueuedRuns({ prisma });
    await explainQueuedRuns({ prisma });
    const waiting = await read(sandboxed.id);
    assert.equal(waiting.state, "queued");
    assert.equal(
      waiting.waitReason,
      "no host matches a run with gVisor and docker:host: hb-no-uds has no runsc-host-uds for docker:host under gVisor (bailey-agent doctor on it says what to add; or run it with sandbox none)",
    );
    assert.ok(waiting.unplaceableSince, "no host of the team could ever take it");
    assert.equal((await read(unsandboxed.id)).hostId, host.id);
    assert.equal((await read(plain.id)).hostId, host.id);
  });

  it("Podman and Apple hosts are named with why they cannot take it", async () => {
    const team = await newTeam();
    await addHost(team.id, { name: "hb-apple", runtimeType: "apple" });
    await addHost(team.id, { name: "hb-podman", runtimeType: "podman" });
    const sandboxed = await queue(team.id, { dependencies: ["docker:host"] });
    const unsandboxed = await queue(team.id, { dependencies: ["docker:host"], sandbox: "none" });
    await placeQueuedRuns({ prisma });
    await explainQueuedRuns({ prisma });
    assert.equal(
      (await read(sandboxed.id)).waitReason,
      "no host matches a run with gVisor and docker:host: hb-apple has no engine socket for docker:host (Apple's containers are VMs); hb-podman cannot sandbox docker:host (Podman picks no runtime per container; run it with sandbox none)",
    );
    const placed = await read(unsandboxed.id);
    assert.equal(placed.state, "scheduled", "sandbox none goes to the Podman host");
    assert.equal((await prisma.host.findUniqueOrThrow({ where: { id: placed.hostId! } })).name, "hb-podman");
  });

  it("a host that has it takes the run", async () => {
    const team = await newTeam();
    await addHost(team.id, { name: "hb-no-uds" });
    const able = await addHost(team.id, { name: "hb-uds", hasRunscHostUds: true });
    const run = await queue(team.id, { dependencies: ["docker:host"] });
    await placeQueuedRuns({ prisma });
    const placed = await read(run.id);
    assert.equal(placed.state, "scheduled");
    assert.equal(placed.hostId, able.id);
  });
});
