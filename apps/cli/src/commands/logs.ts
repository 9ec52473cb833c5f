import { type Command, globalHelp, requireRunId } from "../command";
import { streamLogs, writer } from "../follow";

export const logs: Command = {
  name: "logs",
  summary: "Print a run's output",
  help: `Usage: bailey logs [-f] RUN

  -f, --follow  keep streaming until the run ends
${globalHelp} (with --json: one {"text": ...} object per chunk, one per line)`,
  options: { follow: { type: "boolean", short: "f" } },
  maxPositionals: 1,
  async run(context) {
    const id = requireRunId(context, "logs");
    const client = await context.client();
    const decoder = new TextDecoder();
    const out = writer(process.stdout);
    await streamLogs(client, id, context.values.follow === true, (chunk) => (context.json ? out(Buffer.from(`${JSON.stringify({ text: decoder.decode(chunk, { stream: true }) })}\n`)) : out(chunk)));
    return 0;
  },
};
