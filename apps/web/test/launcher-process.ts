import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const launcherMain = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../launcher/main.ts");

/** Settings that keep a test's launcher away from the developer's own environment. */
const isolated = { DATABASE_URL: "", NEXTAUTH_SECRET: "", NEXTAUTH_URL: "", BAILEY_ADMIN_PASSWORD: "", BAILEY_POSTGRES_PORT: "" };

export function startLauncher(env: Record<string, string>): { child: ChildProcess; output: () => string } {
  const child = spawn(process.execPath, ["--import", "tsx", launcherMain], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, ...isolated, ...env },
  });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk));
  return { child, output: () => output };
}

export async function runLauncher(env: Record<string, string>, timeoutMs = 60_000): Promise<{ code: number | null; output: string }> {
  const { child, output } = startLauncher(env);
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  clearTimeout(timer);
  return { code, output: output() };
}

export function waitForOutput(launcher: { child: ChildProcess; output: () => string }, pattern: RegExp, timeoutMs = 120_000): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${pattern}; output:\n${launcher.output()}`)), timeoutMs);
    const check = () => {
      const match = launcher.output().match(pattern);
      if (match) {
        clearTimeout(timer);
        launcher.child.stdout?.off("data", check);
        resolve(match);
      }
    };
    launcher.child.stdout?.on("data", check);
    launcher.child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`launcher exited (${code}) before ${pattern}; output:\n${launcher.output()}`));
    });
    check();
  });
}
