#!/usr/bin/env node
// bailey-agent: serve | dial-stdio | doctor | egress-proxy | version
import { dialStdio } from "./commands/dial-stdio";
import { doctor } from "./commands/doctor";
import { egressProxy } from "./commands/egress-proxy";
import { serve } from "./commands/serve";
import { readAgentEnv, readEgressProxyEnv } from "./env";
import { agentVersion } from "./version";

const usage = "Usage: bailey-agent serve | dial-stdio | doctor | egress-proxy | version";

async function main(command: string | undefined): Promise<number | undefined> {
  if (command === "version" || command === "--version") {
    console.log(agentVersion);
    return 0;
  }
  // The proxy runs in its own container, without the daemon's settings.
  if (command === "egress-proxy") return egressProxy(readEgressProxyEnv(), process.argv.slice(3));
  const env = readAgentEnv();
  switch (command) {
    case "serve":
      await serve(env);
      return undefined;
    case "dial-stdio":
      return dialStdio(env.BAILEY_AGENT_SOCKET);
    case "doctor":
      return doctor(env);
    default:
      console.error(`${command ? `Unknown command "${command}". ` : ""}${usage}`);
      return 2;
  }
}

main(process.argv[2]).then(
  (code) => {
    if (code !== undefined) process.exit(code);
  },
  (error: Error) => {
    console.error(`bailey-agent: ${error.message}`);
    process.exit(1);
  },
);
