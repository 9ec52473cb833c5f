// Time from `POST /api/v1/runs` until the run's container is running on a host Bailey reaches
// over real sshd, beside the same container started directly through the Docker API and by
// `ssh host docker run -d` over a fresh connection. Bailey runs as `npm start` runs it (the
// e2e global setup: launcher, embedded Postgres, next start, a worker behind sshd).
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import Docker from "dockerode";
import { generateKeyPair, startSshd } from "@bailey/agent-client/testing";
import globalSetup from "../apps/e2e/fixtures/global-setup";
import { measureInterleaved, type BenchRow } from "./measure";

const image = "bailey-test/busybox:latest";
const iterations = Number(process.env.BAILEY_BENCH_DISPATCH_ITERATIONS ?? 15);
const docker = new Docker({ socketPath: "/var/run/docker.sock" });

/** When each container started, as the engine's event stream reports it (no polling delay). */
async function watchStarts(): Promise<{ waitFor(name: string): Promise<number>; close(): void }> {
  const started = new Map<string, number>();
  const waiters = new Map<string, (at: number) => void>();
  const stream = (await docker.getEvents({ filters: { type: ["container"], event: ["start"] } })) as NodeJS.ReadableStream & { destroy(): void };
  let buffered = "";
  stream.on("data", (chunk: Buffer) => {
    const at = performance.now();
    buffered += chunk.toString();
    const lines = buffered.split("\n");
    buffered = lines.pop() ?? "";
    for (const line of lines.filter(Boolean)) {
      const name = (JSON.parse(line) as { Actor?: { Attributes?: { name?: string } } }).Actor?.Attributes?.name;
      if (!name) continue;
      started.set(name, at);
      waiters.get(name)?.(at);
    }
  });
  return {
    waitFor: (name) => {
      const at = started.get(name);
      return at !== undefined ? Promise.resolve(at) : new Promise((resolve) => waiters.set(name, resolve));
    },
    close: () => stream.destroy(),
  };
}

export async function benchDispatch(): Promise<BenchRow[]> {
  const teardown = await globalSetup();
  const starts = await watchStarts();
  const dir = await mkdtemp(path.join(tmpdir(), "bailey-bench-dispatch-"));
  const key = await generateKeyPair("bench");
  const keyFile = path.join(dir, "id_ed25519");
  await writeFile(keyFile, key.privateKey, { mode: 0o600 });
  // A plain sshd (no forced command) for the `ssh host docker run -d` comparison.
  const plainSshd = await startSshd({ authorizedKeys: [key.publicKey] });
  const base = process.env.BAILEY_E2E_BASE_URL!;
  const auth = { authorization: `Bearer ${process.env.BAILEY_E2E_API_TOKEN}`, "content-type": "application/json" };
  const tag = randomBytes(3).toString("hex");
  let n = 0;
  try {
    const direct = async () => {
      const name = `bailey-bench-direct-${tag}-${n++}`;
      const start = performance.now();
      const container = await docker.createContainer({ name, Image: image, Cmd: ["sleep", "30"] });
      await container.start();
      const elapsed = performance.now() - start;
      await container.remove({ force: true });
      return elapsed;
    };
    const overSsh = async () => {
      const name = `bailey-bench-ssh-${tag}-${n++}`;
      const start = performance.now();
      const result = spawnSync("ssh", [
        "-i",
        keyFile,
        "-p",
        String(plainSshd.port),
        "-o",
        "StrictHostKeyChecking=no",
        "-o",
        "UserKnownHostsFile=/dev/null",
        "-o",
        "LogLevel=ERROR",
        `${plainSshd.user}@${plainSshd.host}`,
        `docker run -d --name ${name} ${image} sleep 30`,
      ]);
      const elapsed = performance.now() - start;
      if (result.status !== 0) throw new Error(`ssh docker run failed: ${result.stderr}`);
      await docker.getContainer(name).remove({ force: true });
      return elapsed;
    };
    const viaBailey = (sandbox: "none" | "gvisor") => async () => {
      const start = performance.now();
      const response = await fetch(`${base}/api/v1/runs`, { method: "POST", headers: auth, body: JSON.stringify({ image, command: ["sleep", "30"], sandbox }) });
      if (response.status !== 201) throw new Error(`POST /api/v1/runs answered ${response.status}: ${await response.text()}`);
      const { run } = (await response.json()) as { run: { id: string } };
      const runningAt = await starts.waitFor(`bailey-${run.id}`);
      await fetch(`${base}/api/v1/runs/${run.id}`, { method: "DELETE", headers: auth });
      return runningAt - start;
    };
    const rows = await measureInterleaved(iterations, [
      { label: "Docker API create+start, direct (baseline)", once: direct },
      { label: "Bailey: POST /api/v1/runs → running (runc, over SSH)", once: viaBailey("none") },
      { label: "ssh host docker run -d, fresh connection", once: overSsh },
      { label: "Bailey: POST /api/v1/runs → running (gVisor, over SSH)", once: viaBailey("gvisor") },
    ]);
    return rows.map((row) => ({ ...row, ratio: row.median / rows[0]!.median }));
  } finally {
    starts.close();
    await plainSshd.stop();
    await rm(dir, { recursive: true, force: true });
    await teardown();
  }
}
