// Dispatch, end to end (issue 18's done-when): from `POST /api/v1/runs` until the run's container
// is running (the engine's own start event) and until the run's first output line reaches a
// client following `GET /api/v1/runs/{id}/logs?follow=true` (asked right after the POST; the
// answer waits for the run to start), for cold runs (runc, gVisor) and runs that claim a warm
// pool's container (runc, gVisor). Beside them, the same container created and started directly
// through the Docker API (its start answered; its first output byte on an attach opened before
// the start), and the engine's exec into a running container (the floor for a warm start). Bailey
// runs as `npm start` runs it (the e2e global setup: launcher, embedded Postgres, next start, a
// worker behind real sshd). Every case is sampled in turn, so drift hits them alike.
// Standalone: node --import tsx bench/dispatch.ts (after ensure-installed --with-builds).
import { randomBytes } from "node:crypto";
import Docker from "dockerode";
import globalSetup from "../apps/e2e/fixtures/global-setup";
import { type BenchRow, measureInterleavedFigures, printTable } from "./measure";

const image = "bailey-test/busybox:latest";
const iterations = Number(process.env.BAILEY_BENCH_DISPATCH_ITERATIONS ?? 15);
const docker = new Docker({ socketPath: "/var/run/docker.sock" });
type Sandbox = "none" | "gvisor";
const runtimeOf = { none: "runc", gvisor: "runsc" } as const;
const named = { none: "runc", gvisor: "gVisor" } as const;
/** What the pools are kept for and the warm runs ask for; the cold runs ask for no resources, so they never match a pool. */
const warmResources = { pids: 4096 };

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
      if (at !== undefined) return Promise.resolve(at);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`the engine reported no start of ${name} within 60 s`)), 60_000);
        waiters.set(name, (startedAt) => {
          clearTimeout(timer);
          resolve(startedAt);
        });
      });
    },
    close: () => stream.destroy(),
  };
}

/** When a response body's first bytes arrived; the rest is not read. */
async function firstBytesAt(response: Response): Promise<number> {
  const reader = response.body!.getReader();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) throw new Error("the log stream ended without output");
    if (value.length) {
      const at = performance.now();
      await reader.cancel();
      return at;
    }
  }
}

/**
 * What `docker run` does: create, attach, start; timed to the start's answer and to the first
 * output byte. `ownNetwork`: on a network made for it first, the isolation Bailey gives every run
 * (the default bridge lets containers reach each other).
 */
async function direct(sandbox: Sandbox, ownNetwork = false): Promise<Record<string, number>> {
  const start = performance.now();
  const network = ownNetwork ? await docker.createNetwork({ Name: `bailey-bench-net-${randomBytes(4).toString("hex")}` }) : null;
  const container = await docker.createContainer({
    name: `bailey-bench-direct-${randomBytes(4).toString("hex")}`,
    Image: image,
    Cmd: ["echo", "first"],
    AttachStdout: true,
    AttachStderr: true,
    HostConfig: { Runtime: runtimeOf[sandbox], ...(network ? { NetworkMode: network.id } : {}) },
  });
  const output = (await container.attach({ stream: true, stdout: true, stderr: true })) as NodeJS.ReadWriteStream & { destroy(): void };
  const firstByte = new Promise<number>((resolve) => output.once("data", () => resolve(performance.now())));
  await container.start();
  const running = performance.now() - start;
  const firstLine = (await firstByte) - start;
  output.destroy();
  await container.remove({ force: true });
  await network?.remove();
  return { running, firstLine };
}

/** The floor: the engine's own exec into a running container, from the exec's creation to its first output byte. */
async function engineExec(containerId: string): Promise<Record<string, number>> {
  const start = performance.now();
  const exec = await docker.getContainer(containerId).exec({ Cmd: ["echo", "first"], AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({ hijack: true, stdin: false });
  await new Promise((resolve) => stream.once("data", resolve));
  const firstLine = performance.now() - start;
  stream.destroy();
  return { firstLine };
}

export async function benchDispatch(): Promise<BenchRow[]> {
  // The runc (sandbox:none) runs need a host that allows them; the e2e host allows only the default.
  process.env.BAILEY_ALLOW = "sandbox:none";
  const teardown = await globalSetup();
  const starts = await watchStarts();
  const base = process.env.BAILEY_E2E_BASE_URL!;
  const auth = { authorization: `Bearer ${process.env.BAILEY_E2E_API_TOKEN}`, "content-type": "application/json" };
  const api = async <T>(method: string, route: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${base}/api/v1${route}`, { method, headers: auth, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    if (!response.ok) throw new Error(`${method} ${route} answered ${response.status}: ${await response.text()}`);
    return (await response.json()) as T;
  };
  const floors: string[] = [];
  const pools: Partial<Record<Sandbox, string>> = {};
  try {
    const { hosts } = await api<{ hosts: { id: string; name: string }[] }>("GET", "/hosts");
    const hostId = hosts.find((host) => host.name === "e2e-ssh-host")!.id;
    for (const sandbox of ["none", "gvisor"] as const) pools[sandbox] = (await api<{ pool: { id: string } }>("POST", "/pools", { hostId, image, sandbox, size: 2, resources: warmResources })).pool.id;
    const waitForIdle = async (poolId: string) => {
      for (let i = 0; i < 1200; i++) {
        const pool = (await api<{ pools: { id: string; status: { idle: number; lastError: string | null } | null }[] }>("GET", `/pools?hostId=${hostId}`)).pools.find((entry) => entry.id === poolId);
        if (pool?.status?.lastError) throw new Error(`warm pool ${poolId}: ${pool.status.lastError}`);
        if ((pool?.status?.idle ?? 0) > 0) return;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      throw new Error(`warm pool ${poolId} did not fill within 2 minutes`);
    };
    for (const sandbox of ["none", "gvisor"] as const) {
      const container = await docker.createContainer({ Image: image, Entrypoint: ["sleep", "infinity"], Labels: { "bailey.bench": "dispatch-floor" }, HostConfig: { Runtime: runtimeOf[sandbox] } });
      await container.start();
      floors.push(container.id);
    }
    const viaBailey = (sandbox: Sandbox, warm: boolean) => async () => {
      if (warm) await waitForIdle(pools[sandbox]!);
      const start = performance.now();
      const { run } = await api<{ run: { id: string } }>("POST", "/runs", { image, command: ["echo", "first"], sandbox, ...(warm ? { resources: warmResources } : {}) });
      const logs = await fetch(`${base}/api/v1/runs/${run.id}/logs?follow=true`, { headers: auth });
      if (logs.status !== 200) throw new Error(`GET …/logs?follow=true answered ${logs.status}: ${await logs.text()}`);
      const figures: Record<string, number> = { firstLine: (await firstBytesAt(logs)) - start };
      if (!warm) figures.running = (await starts.waitFor(`bailey-${run.id}`)) - start;
      // The first line can arrive before the running state commits (the follow opens when the agent has started it).
      let after = (await api<{ run: { state: string; warmPoolId: string | null } }>("GET", `/runs/${run.id}`)).run;
      for (let i = 0; i < 100 && after.state === "provisioning"; i++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        after = (await api<{ run: { state: string; warmPoolId: string | null } }>("GET", `/runs/${run.id}`)).run;
      }
      if ((after.warmPoolId !== null) !== warm) throw new Error(`run ${run.id} started ${after.warmPoolId ? "warm" : "cold"}, expected ${warm ? "warm" : "cold"}`);
      await api("DELETE", `/runs/${run.id}`);
      return figures;
    };
    const directLabel = (sandbox: Sandbox) => ({
      running: `Docker API create+start, direct (${named[sandbox]}): start answered (baseline for → running)`,
      firstLine: `Docker API create+attach+start, direct (${named[sandbox]}) → first output byte (baseline for → first line)`,
    });
    const isolatedLabel = (sandbox: Sandbox) => ({
      running: `Docker API network create + create+start, direct (${named[sandbox]}): Bailey's isolation, start answered`,
      firstLine: `Docker API network create + create+attach+start, direct (${named[sandbox]}) → first output byte`,
    });
    const coldLabel = (sandbox: Sandbox) => ({
      running: `Bailey cold (${named[sandbox]}): POST → running (the engine's start event)`,
      firstLine: `Bailey cold (${named[sandbox]}): POST → first line on GET …/logs?follow=true`,
    });
    const warmLabel = (sandbox: Sandbox) => ({ firstLine: `Bailey warm pool (${named[sandbox]}): POST → first line on GET …/logs?follow=true` });
    const floorLabel = (sandbox: Sandbox) => ({ firstLine: `floor: the engine's exec into a running container (${named[sandbox]}) → first output byte` });
    const measured = await measureInterleavedFigures(iterations, [
      { labels: directLabel("none"), once: () => direct("none") },
      { labels: isolatedLabel("none"), once: () => direct("none", true) },
      { labels: coldLabel("none"), once: viaBailey("none", false) },
      { labels: warmLabel("none"), once: viaBailey("none", true) },
      { labels: floorLabel("none"), once: () => engineExec(floors[0]!) },
      { labels: directLabel("gvisor"), once: () => direct("gvisor") },
      { labels: isolatedLabel("gvisor"), once: () => direct("gvisor", true) },
      { labels: coldLabel("gvisor"), once: viaBailey("gvisor", false) },
      { labels: warmLabel("gvisor"), once: viaBailey("gvisor", true) },
      { labels: floorLabel("gvisor"), once: () => engineExec(floors[1]!) },
    ]);
    // Each row against the direct API on the same runtime and the same measure.
    const rows: BenchRow[] = [];
    for (const sandbox of ["none", "gvisor"] as const) {
      for (const figure of ["running", "firstLine"] as const) {
        const baseline = measured.get(directLabel(sandbox)[figure])!;
        const labels = [
          directLabel(sandbox)[figure],
          isolatedLabel(sandbox)[figure],
          coldLabel(sandbox)[figure],
          ...(figure === "firstLine" ? [warmLabel(sandbox).firstLine, floorLabel(sandbox).firstLine] : []),
        ];
        const isolated = measured.get(isolatedLabel(sandbox)[figure])!;
        for (const label of labels) {
          const row = measured.get(label)!;
          // The cold runs also against the direct API doing what Bailey does for isolation (a network each).
          const againstIsolated =
            label === coldLabel(sandbox)[figure] ? ` (${(row.median / isolated.median).toFixed(2)}× median, ${(row.p90 / isolated.p90).toFixed(2)}× p90 of the same isolation direct)` : "";
          rows.push({ ...row, label: `${label}${againstIsolated}`, ratio: row.median / baseline.median, p90Ratio: row.p90 / baseline.p90 });
        }
      }
    }
    return rows;
  } finally {
    starts.close();
    for (const id of floors) await docker.getContainer(id).remove({ force: true });
    for (const poolId of Object.values(pools)) await api("DELETE", `/pools/${poolId}`).catch(() => undefined);
    await teardown();
  }
}

export const dispatchTitle = "Dispatch: POST until the container runs, and until its first output line reaches a follower (ratios: to the direct Docker API, same runtime, same measure)";

if (import.meta.url === `file://${process.argv[1]}`) printTable(dispatchTitle, await benchDispatch());
