import { execFile } from "node:child_process";

export interface CliResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** Runs Apple's `container` CLI (or a stand-in at `binary`), never through a shell. */
export function runCli(binary: string, args: string[]): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    execFile(binary, args, { maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error && typeof (error as { code?: unknown }).code !== "number") {
        reject(new Error(`cannot run ${binary}: ${error.message}`));
        return;
      }
      resolve({ stdout, stderr, exitCode: error ? Number((error as { code?: number }).code) : 0 });
    });
  });
}

export async function runCliChecked(binary: string, args: string[]): Promise<string> {
  const result = await runCli(binary, args);
  if (result.exitCode !== 0) throw new Error(`${binary} ${args[0]} failed (exit ${result.exitCode}): ${result.stderr.trim() || result.stdout.trim()}`);
  return result.stdout;
}
