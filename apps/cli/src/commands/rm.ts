import { type Command, globalHelp, requireRunId } from "../command";
import { printJson } from "../output";

export const rm: Command = {
  name: "rm",
  summary: "Destroy a run and everything it left on its host",
  help: `Usage: bailey rm RUN

Removes the run's container, network, sidecars and workspace from its host.
${globalHelp}`,
  options: {},
  maxPositionals: 1,
  async run(context) {
    const id = requireRunId(context, "rm");
    const result = await (await context.client()).destroyRun(id);
    if (context.json) printJson(result);
    else process.stdout.write(`${id} removed\n`);
    return 0;
  },
};
