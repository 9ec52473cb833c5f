import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { protocolVersion } from "@bailey/protocol";
import { loadOrCreateAgentId } from "../src/identity";
import { type AgentProcess, startAgent } from "../src/testing";

describe("the agent's identity", () => {
  const dirs: string[] = [];
  let agent: AgentProcess | undefined;
  after(async () => {
    await agent?.stop();
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });
  const freshDir = async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "bailey-identity-"));
    dirs.push(dir);
    return path.join(dir, "state");
  };

  it("is made once, kept 0600 in the state dir, and the same for racing first starts", async () => {
    const stateDir = await freshDir();
    const racing = await Promise.all(Array.from({ length: 8 }, () => loadOrCreateAgentId(stateDir)));
    assert.match(racing[0]!, /^agt_[0-9a-f]{32}$/);
    assert.equal(new Set(racing).size, 1, "every racer reads the one identity that was stored");
    assert.equal((await stat(path.join(stateDir, "agent-id"))).mode & 0o777, 0o600);
    assert.equal(await loadOrCreateAgentId(stateDir), racing[0]);
    assert.notEqual(await loadOrCreateAgentId(await freshDir()), racing[0], "another state dir is another machine");
  });

  it("a damaged identity file stops the agent with what to do, and is left as it was", async () => {
    const stateDir = await freshDir();
    await loadOrCreateAgentId(stateDir);
    await writeFile(path.join(stateDir, "agent-id"), "not-an-id\n");
    await assert.rejects(loadOrCreateAgentId(stateDir), /does not hold an agent identity .*remove the host in Bailey, delete the file/);
    assert.equal(await readFile(path.join(stateDir, "agent-id"), "utf8"), "not-an-id\n");
  });

  it("a real agent reports it in agent.hello, unchanged across a restart", async () => {
    agent = await startAgent({ hostId: `identity-${randomBytes(3).toString("hex")}`, runtime: "mock" });
    const first = await (await agent.connect()).request("agent.hello", { protocolVersion, client: "identity-test" });
    assert.match(first.agentId ?? "", /^agt_[0-9a-f]{32}$/);
    assert.equal((await readFile(path.join(agent.stateDir, "agent-id"), "utf8")).trim(), first.agentId);
    await agent.restart();
    const second = await (await agent.connect()).request("agent.hello", { protocolVersion, client: "identity-test" });
    assert.equal(second.agentId, first.agentId);
  });
});
