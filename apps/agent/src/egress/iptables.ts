import { execFile } from "node:child_process";
import { promisify } from "node:util";

const run = promisify(execFile);

/** iptables is missing or the agent may not change the host's rules. */
export class HostFirewallUnavailableError extends Error {
  constructor(detail: string) {
    super(
      `Strict egress on Docker needs the agent to run as root on the host with iptables installed (apt-get install iptables), ` +
        `to stop a run's network from reaching the host's own services: ${detail}`,
    );
    this.name = "HostFirewallUnavailableError";
  }
}

interface ExecFailure extends NodeJS.ErrnoException {
  stderr?: string;
}

/**
 * Runs iptables with the xtables lock waited for (up to 5 s), and answers its stdout. `allowFailure`
 * makes an ordinary non-zero exit (a `-C` that finds no rule) resolve to null instead of throwing.
 */
export async function iptables(args: string[], options: { allowFailure?: boolean } = {}): Promise<string | null> {
  try {
    return (await run("iptables", ["-w", "5", ...args], { encoding: "utf8" })).stdout;
  } catch (error) {
    const failure = error as ExecFailure;
    if (failure.code === "ENOENT") throw new HostFirewallUnavailableError("iptables is not installed (or not on the agent's PATH).");
    if (failure.code === "EACCES") throw new HostFirewallUnavailableError("the agent may not run iptables.");
    const stderr = (failure.stderr ?? "").trim();
    if (/permission denied|must be root|Operation not permitted/i.test(stderr)) throw new HostFirewallUnavailableError(stderr);
    if (options.allowFailure && typeof failure.code === "number") return null;
    throw new Error(`iptables ${args.join(" ")} failed: ${stderr || failure.message}`);
  }
}

/** The arguments of an `iptables -S` line (`-A CHAIN ...`), unquoting what iptables quoted. */
export function ruleArguments(line: string): string[] {
  const tokens: string[] = [];
  for (const match of line.matchAll(/"((?:[^"\\]|\\.)*)"|(\S+)/g)) tokens.push(match[1] !== undefined ? match[1].replace(/\\(.)/g, "$1") : (match[2] ?? ""));
  return tokens;
}
