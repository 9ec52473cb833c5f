import { type Command, globalHelp, requireRunId, stringValue } from "../command";
import { printJson, usageError } from "../output";

export const stop: Command = {
  name: "stop",
  summary: "Stop a run: SIGTERM, then SIGKILL after the grace period",
  help: `Usage: bailey stop [--grace SECONDS] RUN

  --grace SECONDS  how long the run has to exit after SIGTERM (default 10)
${globalHelp}`,
  options: { grace: { type: "string" } },
  maxPositionals: 1,
  async run(context) {
    const id = requireRunId(context, "stop");
    const grace = stringValue(context, "grace");
    if (grace !== undefined && !/^\d+$/.test(grace)) throw usageError(`--grace takes whole seconds, not ${grace}`, "stop");
    const run = await (await context.client()).stopRun(id, grace === undefined ? undefined : Number(grace));
    if (context.json) printJson({ run });
    else process.stdout.write(`${run.id} ${run.state}\n`);
    return 0;
  },
};
