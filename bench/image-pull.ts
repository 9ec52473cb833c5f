// A run whose image the host has never seen: pull + create + start through the agent (run.create,
// run.start on its socket), beside the engine API doing the same (the equivalent of `docker pull`
// then `docker run -d`), from the loopback test registry; then the same image warm (no pull).
// Each sample pushes a fresh image of the same size, so every cold pull really fetches.
import { randomBytes } from "node:crypto";
import Docker from "dockerode";
import { startAgent } from "@bailey/agent/testing";
import { pushUniqueTestImage, requireTestRegistries } from "@bailey/runtime/testing";
import { measureInterleaved, type BenchRow } from "./measure";

const iterations = Number(process.env.BAILEY_BENCH_PULL_ITERATIONS ?? 5);
const padBytes = Number(process.env.BAILEY_BENCH_PULL_PAD_BYTES ?? 16 * 1024 * 1024);
const docker = new Docker({ socketPath: "/var/run/docker.sock" });

async function enginePullAndRun(reference: string, name: string, pull: boolean): Promise<number> {
  const start = performance.now();
  if (pull) {
    const stream = await docker.pull(reference, { authconfig: { serveraddress: reference.split("/")[0] } });
    await new Promise<void>((resolve, reject) => docker.modem.followProgress(stream, (error: Error | null) => (error ? reject(error) : resolve())));
  }
  const container = await docker.createContainer({ name, Image: reference, Cmd: ["sleep", "30"] });
  await container.start();
  const elapsed = performance.now() - start;
  await container.remove({ force: true });
  return elapsed;
}

export async function benchImagePull(): Promise<BenchRow[]> {
  const registries = await requireTestRegistries();
  const tag = randomBytes(3).toString("hex");
  const agent = await startAgent({ hostId: `bench-pull-${tag}`, allow: ["sandbox:none"] });
  const peer = await agent.connect();
  const references: string[] = [];
  const fresh = async (who: string) => {
    const pushed = await pushUniqueTestImage(registries.open, `bailey/bench-${who}-${tag}-${references.length}`, { padBytes });
    references.push(pushed.reference);
    return pushed.reference;
  };
  let n = 0;
  let lastEngineImage = "";
  let lastAgentImage = "";
  const agentRun = async (image: string) => {
    const runId = `bench-pull-${tag}-${n++}`;
    const start = performance.now();
    await peer.request("run.create", { runId, spec: { image, command: ["sleep", "30"], sandbox: "none" } as never }, { timeoutMs: 600_000 });
    await peer.request("run.start", { runId });
    const elapsed = performance.now() - start;
    await peer.request("run.destroy", { runId });
    return elapsed;
  };
  try {
    const rows = await measureInterleaved(iterations, [
      {
        label: "engine API pull + create + start (baseline, cold)",
        once: async () => {
          lastEngineImage = await fresh("engine");
          return enginePullAndRun(lastEngineImage, `bailey-bench-pull-${tag}-${n++}`, true);
        },
      },
      {
        label: "Bailey agent run.create (pulls) + run.start, cold",
        once: async () => {
          lastAgentImage = await fresh("agent");
          return agentRun(lastAgentImage);
        },
      },
      { label: "engine API create + start, warm (image present)", once: () => enginePullAndRun(lastEngineImage, `bailey-bench-pull-${tag}-${n++}`, false) },
      { label: "Bailey agent run.create + run.start, warm (if-not-present)", once: () => agentRun(lastAgentImage) },
    ]);
    const [coldBaseline, coldAgent, warmBaseline, warmAgent] = rows as [BenchRow, BenchRow, BenchRow, BenchRow];
    return [
      { ...coldBaseline, ratio: 1 },
      { ...coldAgent, ratio: coldAgent.median / coldBaseline.median },
      { ...warmBaseline, ratio: 1 },
      { ...warmAgent, ratio: warmAgent.median / warmBaseline.median },
    ];
  } finally {
    peer.close();
    await agent.stop();
    for (const reference of references)
      await docker
        .getImage(reference)
        .remove({ force: true })
        .catch(() => undefined);
  }
}
