// Pressure: 100 runs for one host that takes 10 at a time. The rest must wait in the queue
// and start as capacity frees up, never more than 10 at once, none forgotten.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { it } from "node:test";
import { docker, startAgent } from "@bailey/agent/testing";
import { createScratchTeam } from "@bailey/db/testing";
import { activeRunStates, createRun, HostConnections, tick } from "../../src";
import { useFaultSetup } from "../support/fault-setup";

const total = 100;
const capacity = 10;
const hostId = `capacity-${randomBytes(3).toString("hex")}`;

const setup = useFaultSetup({ hostId, maxConnections: 12 });

it(`${total} runs on one host with capacity ${capacity}: the rest queue and start as capacity frees up`, { timeout: 300_000 }, async () => {
  const { prisma, dir } = setup;
  const started = await startAgent({ dir, runtime: "docker", hostId, allow: ["sandbox:none"] });
  setup.agents.push(started);
  const { team, ctx } = await createScratchTeam(prisma, { role: "admin" });
  const host = await prisma.host.create({
    data: { teamId: team.id, name: hostId, transport: "local", address: started.socketPath, capacityRuns: capacity, status: "online", hasRunsc: true, lastSeenAt: new Date() },
  });
  for (let i = 0; i < total; i++) await createRun({ prisma, ctx, spec: { image: "bailey-test/busybox:latest", sandbox: "none", command: ["sh", "-c", `echo run-${i}; sleep 1`] } });

  const connections = new HostConnections();
  const samples: { queued: number; active: number; containersRunning: number }[] = [];
  try {
    for (let i = 0; i < 400; i++) {
      await tick({ prisma, connections });
      const queued = await prisma.run.count({ where: { teamId: team.id, state: "queued" } });
      const active = await prisma.run.count({ where: { hostId: host.id, state: { in: [...activeRunStates] } } });
      const containersRunning = (await docker.listContainers({ filters: { label: [`bailey.host-id=${hostId}`], status: ["running"] } })).length;
      samples.push({ queued, active, containersRunning });
      if (queued === 0 && active === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    connections.close();
  }
  const maxActive = Math.max(...samples.map((s) => s.active));
  const maxContainers = Math.max(...samples.map((s) => s.containersRunning));
  console.log(`[capacity] ${samples.length} ticks; queue after each: ${samples.map((s) => s.queued).join(" ")}; most runs active at once ${maxActive} (containers running at once ${maxContainers})`);
  assert.equal(samples[0]!.queued, total - capacity, "the first tick placed exactly the host's capacity; the rest waited");
  assert.equal(maxActive, capacity, "never more runs on the host than its capacity, and its capacity was used");
  assert.ok(maxContainers <= capacity, `the engine never ran more than ${capacity} of the host's containers at once (saw ${maxContainers})`);
  assert.ok(
    samples.filter((s) => s.queued > 0).every((s) => s.active === capacity),
    "while runs waited, every tick left the host full",
  );
  const queueLengths = samples.map((s) => s.queued);
  assert.ok(
    queueLengths.every((n, i) => i === 0 || n <= queueLengths[i - 1]!),
    "the queue only shrank",
  );
  assert.equal(await prisma.run.count({ where: { teamId: team.id, state: "succeeded" } }), total, "every run started as capacity freed up, and finished");
  const order = await prisma.run.findMany({ where: { teamId: team.id }, orderBy: { createdAt: "asc" }, select: { startedAt: true } });
  const firstStarts = order.slice(0, capacity).map((run) => run.startedAt!.getTime());
  const lastStarts = order.slice(-capacity).map((run) => run.startedAt!.getTime());
  assert.ok(Math.max(...firstStarts) < Math.min(...lastStarts), "the oldest runs started before the newest: the queue is first in, first out");
});
