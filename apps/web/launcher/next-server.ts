import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { inheritedEnvironment } from "./env";
import { webAppDir } from "./web-app-dir";

export { webAppDir };

export interface NextServerOptions {
  host: string;
  port: number;
  env: Record<string, string>;
}

/**
 * Runs the built dashboard (web-server.ts: Next.js plus the exec WebSockets) as a child that
 * shares our process group.
 */
export function startNextServer(options: NextServerOptions): ChildProcess {
  // See peer-address.cjs: the sign-in throttle needs the socket's address.
  const peerAddressPreload = path.join(webAppDir, "launcher/peer-address.cjs");
  const webServer = path.join(webAppDir, "launcher/web-server.ts");
  return spawn(process.execPath, ["--require", peerAddressPreload, "--import", "tsx", webServer, "--port", String(options.port), "--hostname", options.host], {
    cwd: webAppDir,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...inheritedEnvironment(), ...options.env, NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1" },
  });
}

/** Polls /api/health until the dashboard answers, or gives up with the server's output. */
export async function waitUntilHealthy(url: string, child: ChildProcess, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  child.once("exit", () => (exited = true));
  while (Date.now() < deadline) {
    if (exited) throw new Error("The dashboard server exited during start-up (its output is above).");
    try {
      const response = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(2_000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`The dashboard did not answer at ${url}/api/health within ${timeoutMs / 1000}s.`);
}
