import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import type { EgressEvent } from "../egress/events";
import { agentMain, repoRoot } from "./agent-process";

export interface EgressProxyProcess {
  child: ChildProcess;
  port: number;
  /** Every event line it printed so far. */
  events: EgressEvent[];
  /** What it wrote to stderr. */
  stderr(): string;
  /** Resolves with the first event that satisfies `test` (waiting for it if need be). */
  waitForEvent(test: (event: EgressEvent) => boolean, timeoutMs?: number): Promise<EgressEvent>;
  stop(): Promise<void>;
}

export interface StartEgressProxyProcessOptions {
  configDir: string;
  extraCaFile?: string;
  /** Run this bundle (from apps/agent/build.mjs) instead of the source. */
  bundle?: string;
}

/** `bailey-agent egress-proxy` as its own process, as the proxy container will run it. */
export async function startEgressProxyProcess(options: StartEgressProxyProcessOptions): Promise<EgressProxyProcess> {
  const entry = options.bundle ? [options.bundle] : ["--import", "tsx", agentMain];
  const child = spawn(process.execPath, [...entry, "egress-proxy", "--config-dir", options.configDir], {
    cwd: repoRoot,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, BAILEY_EGRESS_EXTRA_CA_FILE: options.extraCaFile ?? "" },
  });
  const events: EgressEvent[] = [];
  const waiters: { test: (event: EgressEvent) => boolean; resolve: (event: EgressEvent) => void }[] = [];
  let stderr = "";
  child.stderr!.on("data", (chunk: Buffer) => {
    stderr += chunk;
  });
  createInterface({ input: child.stdout! }).on("line", (line) => {
    const event = JSON.parse(line) as EgressEvent;
    events.push(event);
    for (const waiter of [...waiters]) {
      if (waiter.test(event)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(event);
      }
    }
  });
  const exited = once(child, "exit");
  // Generous: started from source through tsx on a loaded 2-core machine, the proxy took over 15 s to come up.
  const waitForEvent = (test: (event: EgressEvent) => boolean, timeoutMs = 90_000) =>
    new Promise<EgressEvent>((resolve, reject) => {
      const seen = events.find(test);
      if (seen) return resolve(seen);
      const timer = setTimeout(() => reject(new Error(`no such egress event within ${timeoutMs} ms; stderr:\n${stderr}`)), timeoutMs);
      waiters.push({ test, resolve: (event) => (clearTimeout(timer), resolve(event)) });
      void exited.then(() => reject(new Error(`the egress proxy exited (${child.exitCode}); stderr:\n${stderr}`)));
    });
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      await exited;
    }
  };
  try {
    const listening = await waitForEvent((event) => event.type === "egress.listening");
    return { child, port: (listening as { port: number }).port, events, stderr: () => stderr, waitForEvent, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
