import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { after, before, describe, it } from "node:test";
import type { PrismaClient } from "@bailey/db";
import { minProtocolVersion, protocolVersion } from "@bailey/protocol";
import { createRun, type HostConnections, type TeamContext, tick } from "../src";
import { type AgentControlPlane, readWholeRunLog, startAgentControlPlane } from "./support/agent-control-plane";

const image = "bailey-test/busybox:latest";
const lineCount = 300_000;
/** What `seq 1 300000` prints: ~2 MB, several of the agent's reads. */
const expected = Buffer.from(Array.from({ length: lineCount }, (_, i) => `${i + 1}\n`).join(""));
const sha256 = (data: Buffer) => createHash("sha256").update(data).digest("hex");
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// A control plane of this release against the real agent (local transport, real Docker and
// Postgres) speaking the newest protocol version, and held to the previous one as an agent of
// the previous release is (BAILEY_AGENT_PROTOCOL_VERSION): the hello agrees on the older
// version, and the logs — followed live and read after the end — come byte-identical, over
// binary chunk frames (run.logs.stream) with the new agent and base64 in JSON (run.logs.read)
// with the old.
for (const agentVersion of [minProtocolVersion, protocolVersion]) {
  describe(`run logs from an agent speaking protocol version ${agentVersion} (real agent, Docker, Postgres)`, () => {
    let plane: AgentControlPlane;
    let prisma: PrismaClient;
    let ctx: TeamContext;
    let connections: HostConnections;

    before(async () => {
      plane = await startAgentControlPlane(`logs-v${agentVersion}`, { protocolVersion: agentVersion });
      ({ prisma, ctx, connections } = plane);
    });
    after(() => plane?.stop());

    const readAll = (runId: string, follow: boolean) => readWholeRunLog({ prisma, ctx, connections, runId, follow });

    it("agrees on the older version in agent.hello, and streams the log byte-identical, followed and after the end", async () => {
      const host = await prisma.host.findFirstOrThrow({ where: { teamId: ctx.teamId } });
      const connection = connections.get(host);
      assert.equal((await connection.hello()).protocolVersion, Math.min(agentVersion, protocolVersion));
      assert.equal(await connection.protocolVersion(), agentVersion, "the connection talks the agent's version");

      const { run } = await createRun({ prisma, ctx, spec: { image, sandbox: "gvisor", command: ["sh", "-c", `sleep 2; seq 1 ${lineCount}`] } });
      let state = "";
      for (let i = 0; i < 240 && state !== "running"; i++) {
        await tick({ prisma, connections });
        state = (await prisma.run.findUniqueOrThrow({ where: { id: run.id } })).state;
        if (state !== "running") await sleep(250);
      }
      const started = await prisma.run.findUniqueOrThrow({ where: { id: run.id } });
      assert.equal(state, "running", `the run is ${state}: ${started.stateReason ?? "no reason given"}`);
      let ticking = true;
      const ticker = (async () => {
        while (ticking) {
          await tick({ prisma, connections });
          await sleep(250);
        }
      })();
      let followed: Buffer;
      try {
        followed = await readAll(run.id, true);
      } finally {
        ticking = false;
        await ticker;
      }
      assert.equal(sha256(followed), sha256(expected), "the follow: every byte, once, in order");
      for (let i = 0; i < 120 && state !== "succeeded"; i++) {
        await tick({ prisma, connections });
        state = (await prisma.run.findUniqueOrThrow({ where: { id: run.id } })).state;
        if (state !== "succeeded") await sleep(250);
      }
      assert.equal(state, "succeeded");
      assert.equal(sha256(await readAll(run.id, false)), sha256(expected), "read after the end: the same bytes");
    });
  });
}
