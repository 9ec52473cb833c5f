// A workspace run's way in and out: cloning a 50 MiB repository and bringing a 50 MiB result
// back. Baseline: `git clone` from the same git daemon, and `scp` of a file of the same size
// over a loopback sshd. Bailey: run.create with spec.workspace through a real agent behind real
// sshd (the host's git clones before the container is created), then the control plane's
// results shipper (shipRunResults: run.results, run.results.read in 4 MiB chunks over the same
// SSH connection, each part into a DirectoryBlobStore with its offset recorded in a real
// Postgres, the file's SHA-256 checked once stored). Runs use runc (sandbox "none").
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { type GitServer, gitIn, removeByHost, startAgentHost, startGitServer } from "@bailey/agent/testing";
import { AgentConnection, SshTransport } from "@bailey/agent-client";
import { generateKeyPair, startSshd } from "@bailey/agent-client/testing";
import { createRun, DirectoryBlobStore, shipRunResults } from "@bailey/core";
import { createPrismaClient } from "@bailey/db";
import { migrateDatabase } from "@bailey/db/admin";
import { createScratchDatabase, createScratchTeam } from "@bailey/db/testing";
import type { BenchRow } from "./measure";

const mib = 1024 * 1024;
const iterations = Number(process.env.BAILEY_BENCH_WORKSPACE_ITERATIONS ?? 3);
const repositoryMiB = Number(process.env.BAILEY_BENCH_WORKSPACE_MIB ?? 50);
const resultBytes = repositoryMiB * mib;
const image = "bailey-test/busybox:latest";

/**
 * A bare, packed repository of `totalBytes` of random (incompressible) files over five commits,
 * each adding two files, served by the git daemon. The result directory is ignored, so the run's
 * diff stays small and the artifact is the one large result.
 */
async function createLargeRepository(git: GitServer, name: string, totalBytes: number): Promise<void> {
  const work = await mkdtemp(path.join(tmpdir(), "bailey-bench-ws-repo-"));
  try {
    await gitIn(work, ["init", "--quiet", "--initial-branch=main"]);
    await writeFile(path.join(work, ".gitignore"), "out/\n");
    const commits = 5;
    const fileBytes = Math.ceil(totalBytes / commits / 2);
    for (let commit = 0; commit < commits; commit++) {
      await mkdir(path.join(work, `data/${commit}`), { recursive: true });
      for (const file of ["a.bin", "b.bin"]) await writeFile(path.join(work, `data/${commit}/${file}`), randomBytes(fileBytes));
      await gitIn(work, ["add", "--all"]);
      await gitIn(work, ["commit", "--quiet", "-m", `add ${2 * fileBytes} random bytes`]);
    }
    const bare = path.join(git.baseDir, `${name}.git`);
    await gitIn(git.baseDir, ["clone", "--quiet", "--bare", work, bare]);
    // Packed, as a hosted repository is: each clone then streams the pack, not a delta search over loose random blobs.
    await gitIn(bare, ["repack", "-a", "-d", "--quiet"]);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

function run(command: string, args: string[]): void {
  const result = spawnSync(command, args, { encoding: "utf8", maxBuffer: 16 * mib });
  if (result.error) throw new Error(`${command} could not run (${result.error.message}): apt-get install -y git openssh-client`);
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} failed (${result.status}): ${result.stderr}`);
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const p90 = (values: number[]) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(0.9 * values.length))]!;

export async function benchWorkspaceResults(): Promise<BenchRow[]> {
  const tag = randomBytes(3).toString("hex");
  const hostId = `bench-ws-${tag}`;
  const dir = await mkdtemp(path.join(tmpdir(), "bailey-bench-ws-"));
  const cleanups: (() => Promise<unknown>)[] = [() => rm(dir, { recursive: true, force: true })];
  const cleanup = async () => {
    for (const step of cleanups.reverse()) await step().catch((error: Error) => console.error(`workspace bench cleanup: ${error.message}`));
  };
  try {
    const git = await startGitServer();
    cleanups.push(() => git.stop());
    await createLargeRepository(git, "large", resultBytes);
    const remote = git.url("large");

    // The baseline's transport: a plain sshd (no forced command) and a file the size of the result.
    const key = await generateKeyPair("bench-scp");
    const keyFile = path.join(dir, "scp-key");
    await writeFile(keyFile, key.privateKey, { mode: 0o600 });
    const plainSshd = await startSshd({ authorizedKeys: [key.publicKey] });
    cleanups.push(() => plainSshd.stop());
    const resultFile = path.join(dir, "result.bin");
    await writeFile(resultFile, randomBytes(resultBytes));
    const received = path.join(dir, "received");
    await mkdir(received);

    // Bailey's side: a worker behind real sshd, the control plane's connection to it, real Postgres.
    const worker = await startAgentHost({ hostId, runtime: "docker", allow: ["sandbox:none"] });
    cleanups.push(async () => {
      await worker.stop();
      await removeByHost(hostId);
    });
    const agent = new AgentConnection(new SshTransport({ host: worker.address, port: worker.port, username: worker.user, privateKey: worker.privateKey, hostKeyFingerprint: worker.fingerprint }));
    cleanups.push(async () => agent.close());
    await agent.hello();
    const db = await createScratchDatabase();
    cleanups.push(() => db.drop());
    await migrateDatabase(db.url);
    const prisma = createPrismaClient(db.url);
    cleanups.push(() => prisma.$disconnect());
    const { team, ctx } = await createScratchTeam(prisma, { role: "admin" });
    const host = await prisma.host.create({
      data: { teamId: team.id, name: hostId, transport: "ssh", address: worker.address, sshPort: worker.port, sshUser: worker.user, capacityRuns: 4, status: "online", hasWorkspaces: true },
    });

    const sshOptions = ["-i", keyFile, "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR"];
    let n = 0;
    const gitCloneAndScp = () => {
      const into = path.join(dir, `clone-${n++}`);
      let start = performance.now();
      run("git", ["clone", "--quiet", remote, into]);
      const cloneMs = performance.now() - start;
      start = performance.now();
      run("scp", ["-O", "-q", ...sshOptions, "-P", String(plainSshd.port), resultFile, `${plainSshd.user}@${plainSshd.host}:${path.join(received, `result-${n}.bin`)}`]);
      const uploadMs = performance.now() - start;
      // scp pays a fresh SSH handshake each time; Bailey's control plane keeps its connection.
      start = performance.now();
      run("ssh", [...sshOptions, "-p", String(plainSshd.port), `${plainSshd.user}@${plainSshd.host}`, "true"]);
      const handshakeMs = performance.now() - start;
      return { cloneMs, uploadMs, handshakeMs, done: () => Promise.all([rm(into, { recursive: true, force: true }), rm(path.join(received, `result-${n}.bin`), { force: true })]) };
    };

    const bailey = async () => {
      const command = ["set -e", "mkdir -p out", `head -c ${resultBytes} /dev/urandom > out/result.bin`].join("; ");
      const spec = { image, command: ["sh", "-c", command], sandbox: "none" as const, workspace: { git: remote }, artifacts: ["out/result.bin"] };
      const { run: row } = await createRun({ prisma, ctx, spec });
      const runId = row.id;
      const blobs = new DirectoryBlobStore(path.join(dir, `blobs-${runId}`));
      try {
        let start = performance.now();
        await agent.request("run.create", { runId, spec: spec as never }, { timeoutMs: 600_000 });
        const cloneMs = performance.now() - start;
        const ready = (await agent.request("events.pull", { afterSeq: 0, limit: 10_000 })).events.find((event) => event.runId === runId && event.type === "workspace.ready");
        const gitMs = Number((ready?.data as { durationMs?: number } | undefined)?.durationMs ?? NaN);
        await agent.request("run.start", { runId });
        // The control plane's view when the run's exit has been journaled: running, collecting results.
        await prisma.run.update({
          where: { id: runId },
          data: { state: "running", hostId: host.id, startedAt: new Date(), endedState: "succeeded", endedReason: "exit code 0", resultsState: "pending" },
        });
        for (let wait = 0; ; wait++) {
          if ((await agent.request("run.results", { runId })).state === "ready") break;
          if (wait > 1200) throw new Error(`run ${runId}'s results were not ready within 5 minutes:\n${worker.agent.output().slice(-2000)}`);
          await new Promise((resolve) => setTimeout(resolve, 250));
        }
        start = performance.now();
        const shipped = await shipRunResults({ prisma, blobs, agent, runId, budgetBytes: 4 * resultBytes });
        const uploadMs = performance.now() - start;
        if (!shipped.finished || shipped.bytes < resultBytes) throw new Error(`the results of run ${runId} did not all ship in one call (${shipped.bytes} bytes, finished ${shipped.finished})`);
        const stored = await prisma.run.findUniqueOrThrow({ where: { id: runId } });
        if (stored.resultsState !== "complete") throw new Error(`run ${runId}'s results are ${stored.resultsState}: ${JSON.stringify(stored.resultsMissing)}`);
        return { cloneMs, gitMs, uploadMs, shippedBytes: shipped.bytes };
      } finally {
        await agent.request("run.destroy", { runId }).catch(() => undefined);
        await rm(blobs.root, { recursive: true, force: true });
      }
    };

    // One warm-up each, then the two paths in turn, so the machine's drift moves both alike.
    const baseline: { cloneMs: number; uploadMs: number; handshakeMs: number }[] = [];
    const viaBailey: { cloneMs: number; gitMs: number; uploadMs: number; shippedBytes: number }[] = [];
    for (let i = 0; i <= iterations; i++) {
      const plain = gitCloneAndScp();
      await plain.done();
      const ours = await bailey();
      if (i === 0) continue;
      baseline.push(plain);
      viaBailey.push(ours);
    }
    const rowOf = (label: string, samples: number[], baselineSamples?: number[]): BenchRow => ({
      label,
      iterations,
      median: median(samples),
      p90: p90(samples),
      ...(baselineSamples ? { ratio: median(samples) / median(baselineSamples) } : {}),
    });
    const plainClone = baseline.map((sample) => sample.cloneMs);
    const plainUpload = baseline.map((sample) => sample.uploadMs);
    const plainTotal = baseline.map((sample) => sample.cloneMs + sample.uploadMs);
    const shippedMiB = median(viaBailey.map((sample) => sample.shippedBytes)) / mib;
    return [
      rowOf(`git clone, ${repositoryMiB} MiB repository from git daemon (baseline)`, plainClone, plainClone),
      rowOf(
        "Bailey run.create with workspace over SSH (host's git clone + container create)",
        viaBailey.map((sample) => sample.cloneMs),
        plainClone,
      ),
      rowOf(
        "  of which the host's clone (workspace.ready durationMs)",
        viaBailey.map((sample) => sample.gitMs),
        plainClone,
      ),
      rowOf(`scp -O of a ${repositoryMiB} MiB file over loopback sshd (baseline)`, plainUpload, plainUpload),
      rowOf(
        "  of which a fresh SSH handshake (ssh host true)",
        baseline.map((sample) => sample.handshakeMs),
        plainUpload,
      ),
      rowOf(
        `Bailey shipRunResults: ${shippedMiB.toFixed(1)} MiB of results over SSH into a DirectoryBlobStore`,
        viaBailey.map((sample) => sample.uploadMs),
        plainUpload,
      ),
      rowOf("git clone + scp (baseline total)", plainTotal, plainTotal),
      rowOf(
        "Bailey clone + results (total)",
        viaBailey.map((sample) => sample.cloneMs + sample.uploadMs),
        plainTotal,
      ),
    ];
  } finally {
    await cleanup();
  }
}
