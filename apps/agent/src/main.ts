#!/usr/bin/env node
// bailey-agent: serve | dial-stdio | doctor | version
import { dialStdio } from "./commands/dial-stdio";
import { doctor } from "./commands/doctor";
import { serve } from "./commands/serve";
import { readAgentEnv } from "./env";
import { agentVersion } from "./version";

const usage = "Usage: bailey-agent serve | dial-stdio | doctor | version";

async function main(command: string | undefined): Promise<number | undefined> {
  if (command === "version" || command === "--version") {
    console.log(agentVersion);
    return 0;
  }
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
