// Log streaming throughput: a run writes 100 MiB to stdout; its logs are read through Bailey
// (GET /api/v1/runs/{id}/logs: Next → SSH → agent → engine) and, as the baseline, straight
// from the engine with dockerode, on the same machine in the same run.
import Docker from "dockerode";
import globalSetup from "../apps/e2e/fixtures/global-setup";

const bytes = Number(process.env.BAILEY_BENCH_LOG_BYTES ?? 100 * 1024 * 1024);
const samples = Number(process.env.BAILEY_BENCH_LOG_SAMPLES ?? 3);
const line = "0123456789abcdef".repeat(7);

async function drain(stream: AsyncIterable<Uint8Array>): Promise<number> {
  let total = 0;
  for await (const chunk of stream) total += chunk.length;
  return total;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

export async function benchLogThroughput(): Promise<{ label: string; mibPerSecond: number; ratio: number }[]> {
  const teardown = await globalSetup();
  const docker = new Docker({ socketPath: "/var/run/docker.sock" });
  try {
    const base = process.env.BAILEY_E2E_BASE_URL!;
    const auth = { authorization: `Bearer ${process.env.BAILEY_E2E_API_TOKEN}` };
    const created = await fetch(`${base}/api/v1/runs`, {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({ image: "bailey-test/busybox:latest", sandbox: "none", command: ["sh", "-c", `yes ${line} | head -c ${bytes}`] }),
    });
    const { run } = (await created.json()) as { run: { id: string } };
    for (let i = 0; ; i++) {
      const state = ((await (await fetch(`${base}/api/v1/runs/${run.id}`, { headers: auth })).json()) as { run: { state: string } }).run.state;
      if (state === "succeeded") break;
      if (["failed", "cancelled", "lost"].includes(state) || i > 600) throw new Error(`the log-writing run ended ${state}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const direct: number[] = [];
    const viaBailey: number[] = [];
    for (let i = 0; i < samples; i++) {
      let start = performance.now();
      const engine = (await docker.getContainer(`bailey-${run.id}`).logs({ stdout: true, stderr: true, follow: true })) as unknown as AsyncIterable<Uint8Array>;
      const engineBytes = await drain(engine);
      direct.push(engineBytes / 1024 / 1024 / ((performance.now() - start) / 1000));
      start = performance.now();
      const response = await fetch(`${base}/api/v1/runs/${run.id}/logs`, { headers: auth });
      const received = await drain(response.body as unknown as AsyncIterable<Uint8Array>);
      if (received < bytes) throw new Error(`Bailey's log stream delivered ${received} of ${bytes} bytes`);
      viaBailey.push(received / 1024 / 1024 / ((performance.now() - start) / 1000));
    }
    await fetch(`${base}/api/v1/runs/${run.id}`, { method: "DELETE", headers: auth });
    const baseline = median(direct);
    return [
      { label: "engine logs via dockerode, multiplexed frames (baseline)", mibPerSecond: baseline, ratio: 1 },
      { label: "GET /api/v1/runs/{id}/logs: Next → SSH → agent → engine", mibPerSecond: median(viaBailey), ratio: median(viaBailey) / baseline },
    ];
  } finally {
    await teardown();
  }
}
