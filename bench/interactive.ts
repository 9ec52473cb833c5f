// Interactive round trip (issue 17): one keystroke typed into `cat` on a pseudo-terminal until
// its echo comes back, one byte at a time, through Bailey's exec WebSocket (the protocol the web
// terminal speaks, driven by the SDK's openExec) and through `bailey exec -it` in a real
// pseudo-terminal, beside `docker exec -it` on the host in the same kind of pseudo-terminal, on a
// container started directly with Docker with the same runtime. Target: median ≤ 2× + 5 ms.
import { type ChildProcessWithoutNullStreams, execFileSync, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { type AgentHost, removeByHost, startAgentHost } from "@bailey/agent/testing";
import { createBaileyClient, isFinalRunState, openExec } from "@bailey/sdk";
import globalSetup from "../apps/e2e/fixtures/global-setup";
import { type BenchRow, measureInterleaved } from "./measure";

const iterations = Number(process.env.BAILEY_BENCH_KEYSTROKES ?? 200);
const warmUpKeystrokes = 20;
const image = "bailey-test/busybox:latest";
const cli = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../apps/cli/bin/bailey.mjs");
/** Printed before `cat` takes over, so typing starts only once the far side reads the terminal raw. */
const ready = "BENCH-READY";
const remoteCommand = ["sh", "-c", `echo ${ready}; exec cat`];

/** Output arriving from one session; `expect` resolves at the moment a byte is seen. */
class Echoes {
  private pending = "";
  private waiter: { text: string; resolve: (at: number) => void } | null = null;
  /** Everything seen, for error messages. */
  transcript = "";

  push(bytes: Buffer): void {
    const at = performance.now();
    const text = bytes.toString("latin1");
    this.transcript = (this.transcript + text).slice(-2000);
    this.pending += text;
    if (this.waiter && this.pending.includes(this.waiter.text)) {
      const { resolve } = this.waiter;
      this.waiter = null;
      this.pending = "";
      resolve(at);
    }
  }

  expect(text: string, timeoutMs: number, what: () => string): Promise<number> {
    this.pending = "";
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = null;
        reject(new Error(`${what()}: no ${JSON.stringify(text)} within ${timeoutMs} ms; the session printed: ${JSON.stringify(this.transcript)}`));
      }, timeoutMs);
      this.waiter = {
        text,
        resolve: (at) => {
          clearTimeout(timer);
          resolve(at);
        },
      };
    });
  }
}

interface Terminal {
  label: string;
  /** Milliseconds from writing one byte until its echo arrives. */
  keystroke(): Promise<number>;
  close(): Promise<void>;
}

const letters = "abcdefghijklmnopqrstuvwxyz";

function keystrokes(label: string, echoes: Echoes, write: (byte: string) => void): () => Promise<number> {
  let typed = 0;
  return async () => {
    const letter = letters[typed++ % letters.length]!;
    const start = performance.now();
    const echoed = echoes.expect(letter, 10_000, () => `${label}: keystroke ${typed}`);
    write(letter);
    return (await echoed) - start;
  };
}

/**
 * A command in a real pseudo-terminal: `script` gives it one, as a person's terminal would, and
 * relays our pipe to its master side.
 */
async function scriptedTerminal(label: string, command: string[], env: NodeJS.ProcessEnv = process.env): Promise<Terminal> {
  const quoted = command.map((part) => `'${part.replaceAll("'", "'\\''")}'`).join(" ");
  const child: ChildProcessWithoutNullStreams = spawn("script", ["-qfec", `stty cols 120 rows 40; exec ${quoted}`, "-E", "never", "/dev/null"], { env: { ...env, TERM: "xterm" } });
  const echoes = new Echoes();
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => echoes.push(chunk));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  try {
    await Promise.race([
      echoes.expect(ready, 60_000, () => `${label}: starting ${command.join(" ")}`),
      exited.then((code) => Promise.reject(new Error(`${label}: ${command.join(" ")} exited (${code}) before it was ready: ${echoes.transcript}${stderr}`))),
    ]);
  } catch (error) {
    child.kill("SIGKILL");
    throw error;
  }
  return {
    label,
    keystroke: keystrokes(label, echoes, (byte) => child.stdin.write(byte)),
    async close() {
      // ^D on an empty line would end cat; the line holds our letters, so kill the relay instead.
      child.kill("SIGTERM");
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
      if (child.exitCode === null) child.kill("SIGKILL");
    },
  };
}

async function webSocketTerminal(label: string, url: string, token: string, runId: string): Promise<Terminal> {
  const echoes = new Echoes();
  const readyAt = echoes.expect(ready, 60_000, () => `${label}: starting the session`);
  const session = await openExec({ url, token, runId, command: remoteCommand, tty: true, stdin: true, cols: 120, rows: 40, onOutput: (_stream, bytes) => echoes.push(bytes) });
  await readyAt;
  return {
    label,
    keystroke: keystrokes(label, echoes, (byte) => session.write(byte)),
    async close() {
      session.close();
      await Promise.race([session.exit.catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 5000))]);
    },
  };
}

function dockerContainer(runtime: "runc" | "runsc"): string {
  return execFileSync("docker", ["run", "-d", "--rm", "--runtime", runtime, "--label", `bailey.bench=interactive-${process.pid}`, image, "sleep", "600"], { encoding: "utf8" }).trim();
}

/**
 * The e2e host runs gVisor only (a fresh install's BAILEY_ALLOW is empty); runc runs need a host
 * that allows sandbox:none. A second real agent behind real sshd, added over REST as an admin does.
 */
async function addRuncHost(url: string): Promise<AgentHost> {
  const keyFile = process.env.BAILEY_E2E_SSH_KEY_FILE!;
  const keyPair = { privateKey: readFileSync(keyFile, "utf8"), publicKey: execFileSync("ssh-keygen", ["-y", "-f", keyFile], { encoding: "utf8" }).trim() };
  const host = await startAgentHost({ hostId: `bench-interactive-runc-${process.pid}`, keyPair, allow: ["sandbox:none"] });
  const response = await fetch(`${url}/api/v1/hosts`, {
    method: "POST",
    headers: { authorization: `Bearer ${process.env.BAILEY_E2E_API_TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify({ name: "bench-runc", ...host.hostFields, capacityRuns: 2 }),
  });
  const body = await response.text();
  if (response.status !== 201) {
    await host.stop();
    throw new Error(`adding the runc host answered ${response.status}: ${body}`);
  }
  return host;
}

export interface InteractiveRow extends BenchRow {
  baseline: string;
  /** median ≤ 2 × the baseline's median + 5 ms */
  withinTarget?: boolean;
}

export async function benchInteractive(): Promise<InteractiveRow[]> {
  const teardown = await globalSetup();
  const url = process.env.BAILEY_E2E_BASE_URL!;
  const token = process.env.BAILEY_E2E_EXEC_TOKEN!;
  const client = createBaileyClient({ url, token });
  const terminals: Terminal[] = [];
  const containers: string[] = [];
  const runIds: string[] = [];
  let runcHost: AgentHost | undefined;
  try {
    runcHost = await addRuncHost(url);
    containers.push(dockerContainer("runsc"), dockerContainer("runc"));
    const runs: Record<"gvisor" | "none", string> = { gvisor: "", none: "" };
    for (const sandbox of ["gvisor", "none"] as const) {
      const created = await client.createRun({ image, name: `bench-interactive-${sandbox}`, command: ["sleep", "600"], sandbox });
      runIds.push(created.run.id);
      runs[sandbox] = created.run.id;
    }
    for (const id of runIds) {
      const until = Date.now() + 120_000;
      for (;;) {
        const run = await client.getRun(id);
        if (run.state === "running") break;
        if (isFinalRunState(run.state) || Date.now() > until) throw new Error(`run ${id} (${run.name}) did not reach running: it is ${run.state}`);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
    const cliEnv = { ...process.env, BAILEY_URL: url, BAILEY_TOKEN: token };
    terminals.push(
      await scriptedTerminal("docker exec -it, gVisor container (baseline)", ["docker", "exec", "-it", containers[0]!, ...remoteCommand]),
      await webSocketTerminal("web terminal protocol (WebSocket), gVisor run", url, token, runs.gvisor),
      await scriptedTerminal("bailey exec -it, gVisor run", [process.execPath, cli, "exec", "-it", runs.gvisor, "--", ...remoteCommand], cliEnv),
      await scriptedTerminal("docker exec -it, runc container (baseline)", ["docker", "exec", "-it", containers[1]!, ...remoteCommand]),
      await webSocketTerminal("web terminal protocol (WebSocket), runc run (sandbox none)", url, token, runs.none),
      await scriptedTerminal("bailey exec -it, runc run (sandbox none)", [process.execPath, cli, "exec", "-it", runs.none, "--", ...remoteCommand], cliEnv),
    );
    for (const terminal of terminals) for (let i = 0; i < warmUpKeystrokes; i++) await terminal.keystroke();
    const rows = await measureInterleaved(
      iterations,
      terminals.map((terminal) => ({ label: terminal.label, once: terminal.keystroke })),
    );
    // Each Bailey row against the docker exec of the same runtime (the three rows before it start with it).
    return rows.map((row, index) => {
      const baseline = rows[index - (index % 3)]!;
      if (baseline === row) return { ...row, ratio: 1, baseline: row.label };
      return { ...row, ratio: row.median / baseline.median, baseline: baseline.label, withinTarget: row.median <= 2 * baseline.median + 5 };
    });
  } finally {
    for (const terminal of terminals) await terminal.close().catch(() => undefined);
    for (const id of runIds) await client.stopRun(id, 0).catch(() => undefined);
    if (containers.length) execFileSync("docker", ["rm", "-f", ...containers], { stdio: "ignore" });
    if (runcHost) {
      await runcHost.stop();
      await removeByHost(runcHost.hostId);
    }
    await teardown();
  }
}

export function printInteractive(rows: InteractiveRow[]): void {
  console.log("\nInteractive round trip: one keystroke into `cat` on a pseudo-terminal until its echo is back (target: median ≤ 2× docker exec -it + 5 ms)");
  console.log("| path | n | median ms | p90 ms | ratio to docker exec -it | within target |");
  console.log("| --- | --- | --- | --- | --- | --- |");
  for (const row of rows) {
    const target = row.withinTarget === undefined ? "" : row.withinTarget ? "yes" : "no";
    console.log(`| ${row.label} | ${row.iterations} | ${row.median.toFixed(1)} | ${row.p90.toFixed(1)} | ${row.ratio?.toFixed(2)}× | ${target} |`);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  printInteractive(await benchInteractive());
}
