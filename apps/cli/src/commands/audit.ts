import { type Command, globalHelp } from "../command";
import { printJson, usageError } from "../output";

export const audit: Command = {
  name: "audit",
  summary: "audit verify: check the team's audit chain and its signatures",
  help: `Usage: bailey audit verify

Asks Bailey to verify the team's audit chain (every event's hash links to the one before) and
its signed checkpoints. Exits 0 when the chain is intact, 1 when it is broken.
For an offline check of an export, see npm run audit:verify.
${globalHelp}`,
  options: {},
  maxPositionals: 1,
  async run(context) {
    if (context.positionals[0] !== "verify") throw usageError(context.positionals[0] ? `Unknown audit command: ${context.positionals[0]}` : "Missing the audit command (verify).", "audit");
    const result = await (await context.client()).verifyAudit();
    if (context.json) printJson(result);
    else if (result.valid) process.stdout.write(`Audit chain intact: ${result.events} events.\n${result.signatures.summary}\n`);
    else process.stdout.write(`Audit chain BROKEN at event ${result.brokenAtSeq ?? "?"}: ${result.reason ?? "no reason given"} (${result.events} events checked).\n${result.signatures.summary}\n`);
    return result.valid ? 0 : 1;
  },
};
