import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { launcherMain, runLauncher } from "./launcher-process";

describe("bad configuration stops start-up with the cause and the fix", () => {
  const dirs: string[] = [];
  after(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });
  const freshDataDir = async () => {
    const dir = path.join(await mkdtemp(path.join(tmpdir(), "bailey-config-")), "data");
    dirs.push(path.dirname(dir));
    return dir;
  };

  it("an unparseable DATABASE_URL names the variable and an example, and touches nothing", async () => {
    const dataDir = await freshDataDir();
    const result = await runLauncher({ DATABASE_URL: "localhost:5432/bailey", BAILEY_DATA_DIR: dataDir, PORT: "0" });
    assert.equal(result.code, 1);
    assert.match(result.output, /DATABASE_URL/);
    assert.match(result.output, /Example: DATABASE_URL=postgresql:\/\//);
    assert.equal(existsSync(dataDir), false, "no data directory was created");
  });

  it("a malformed PORT names the variable and an example", async () => {
    const result = await runLauncher({ PORT: "three thousand", BAILEY_DATA_DIR: await freshDataDir() });
    assert.equal(result.code, 1);
    assert.match(result.output, /PORT must be a port number\. Example: PORT=3000/);
  });

  it("an unreachable database is reported before anything starts", async () => {
    const unused = await new Promise<number>((resolve) => {
      const probe = net.createServer().listen(0, "127.0.0.1", () => {
        const { port } = probe.address() as net.AddressInfo;
        probe.close(() => resolve(port));
      });
    });
    const dashboardPort = String(unused + 1 > 65000 ? 40000 : unused + 1);
    const result = await runLauncher({ DATABASE_URL: `postgresql://bailey:pw@127.0.0.1:${unused}/bailey`, PORT: dashboardPort, BAILEY_HOST: "127.0.0.1" });
    assert.equal(result.code, 1);
    assert.match(result.output, /Cannot reach the database at postgresql:\/\/bailey:\*\*\*\*@127\.0\.0\.1/);
    assert.match(result.output, /ECONNREFUSED/);
  });

  it("a dashboard port in use is reported before the database is started", async () => {
    const dataDir = await freshDataDir();
    const busy = net.createServer();
    await new Promise<void>((resolve) => busy.listen(0, "127.0.0.1", resolve));
    const { port } = busy.address() as net.AddressInfo;
    try {
      const result = await runLauncher({ PORT: String(port), BAILEY_HOST: "127.0.0.1", BAILEY_DATA_DIR: dataDir });
      assert.equal(result.code, 1);
      assert.match(result.output, new RegExp(`port ${port} is already in use`));
      assert.match(result.output, /PORT=\d+ npm start/);
      assert.equal(existsSync(dataDir), false, "the embedded Postgres was never started");
    } finally {
      busy.close();
    }
  });

  it("the launcher refuses unknown commands", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", launcherMain, "sideways"], { stdio: "pipe" });
    let output = "";
    child.stderr.on("data", (chunk: Buffer) => (output += chunk));
    const code = await new Promise((resolve) => child.once("exit", resolve));
    assert.equal(code, 1);
    assert.match(output, /Unknown command "sideways"/);
  });
});
