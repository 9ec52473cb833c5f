import type { Command } from "./command";
import { globalHelp, parseCommand } from "./command";
import { audit } from "./commands/audit";
import { exec } from "./commands/exec";
import { hosts } from "./commands/hosts";
import { login } from "./commands/login";
import { logs } from "./commands/logs";
import { ls } from "./commands/ls";
import { overview as overviewCommand } from "./commands/overview";
import { pools } from "./commands/pools";
import { rm } from "./commands/rm";
import { run } from "./commands/run";
import { stop } from "./commands/stop";
import { reportError, usageError } from "./output";

const commands: Command[] = [login, run, logs, exec, stop, rm, ls, hosts, pools, overviewCommand, audit];

const overview = `bailey: run coding agents and commands in sandboxed containers on your team's hosts

Usage: bailey COMMAND [flags]

Commands:
${commands.map((command) => `  ${command.name.padEnd(8)} ${command.summary}`).join("\n")}

Flags on every command:
${globalHelp}

Run \`bailey COMMAND --help\` for a command's flags. Credentials: \`bailey login\`, or
BAILEY_URL and BAILEY_TOKEN in the environment.`;

/** The whole CLI: returns the exit code (bin/bailey.mjs exits with it). */
export async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  const json = args.includes("--json");
  try {
    if (!name || name === "--help" || name === "-h" || name === "help") {
      process.stdout.write(`${overview}\n`);
      return name ? 0 : 2;
    }
    const command = commands.find((candidate) => candidate.name === name);
    if (!command) throw usageError(`Unknown command: ${name}`);
    const context = parseCommand(command, args);
    if (context.help) {
      process.stdout.write(`${command.summary}\n\n${command.help}\n`);
      return 0;
    }
    return await command.run(context);
  } catch (error) {
    return reportError(error, json);
  }
}
