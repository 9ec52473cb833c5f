// Median time to create and start one container: Bailey's runtime layer (with its
// hardening and sandbox checks) beside a bare dockerode create+start, in one process.
import { randomBytes } from "node:crypto";
import Docker from "dockerode";
import { DockerRuntime } from "@bailey/runtime";
import { createPodmanRuntime } from "@bailey/runtime";
import type { Runtime, Sandbox } from "@bailey/runtime";
import { startPodmanService } from "@bailey/runtime/testing";
import { measure, type BenchRow } from "./measure";

const image = "bailey-test/busybox:latest";
const iterations = Number(process.env.BAILEY_BENCH_ITERATIONS ?? 15);

async function timeRuntime(runtime: Runtime, sandbox: Sandbox, runImage: string, label: string): Promise<BenchRow> {
  const tag = randomBytes(3).toString("hex");
  let n = 0;
  return measure(label, iterations, async () => {
    const start = performance.now();
    const id = await runtime.createContainer({ name: `bailey-bench-${tag}-${n++}`, image: runImage, command: ["sleep", "30"], labels: { "bailey.bench": tag }, sandbox });
    await runtime.startContainer(id);
    const elapsed = performance.now() - start;
    await runtime.removeContainer(id);
    return elapsed;
  });
}

export async function benchRuntimeCreateStart(): Promise<BenchRow[]> {
  const docker = new Docker({ socketPath: "/var/run/docker.sock" });
  let n = 0;
  const baseline = await measure("dockerode create+start (baseline, runc, no hardening)", iterations, async () => {
    const start = performance.now();
    const container = await docker.createContainer({ name: `bailey-bench-raw-${process.pid}-${n++}`, Image: image, Cmd: ["sleep", "30"] });
    await container.start();
    const elapsed = performance.now() - start;
    await container.remove({ force: true });
    return elapsed;
  });
  const runtime = new DockerRuntime({ socketPath: "/var/run/docker.sock" });
  const rows = [baseline, await timeRuntime(runtime, "none", image, "Bailey runtime, Docker runc"), await timeRuntime(runtime, "gvisor", image, "Bailey runtime, Docker runsc (gVisor)")];
  const podman = await startPodmanService();
  try {
    rows.push(await timeRuntime(createPodmanRuntime(podman.socketPath), "none", "localhost/bailey-test/busybox:latest", "Bailey runtime, Podman"));
  } finally {
    await podman.stop();
  }
  return rows.map((row) => ({ ...row, ratio: row.median / baseline.median }));
}
