import { finalRunStates, type RunState } from "@bailey/sdk";
import { type Command, globalHelp, stringValue } from "../command";
import { ago, printJson, printTable, usageError } from "../output";

const states: RunState[] = ["queued", "scheduled", "provisioning", "running", "stopping", ...finalRunStates];

export const ls: Command = {
  name: "ls",
  summary: "List runs, newest first",
  help: `Usage: bailey ls [--state STATE] [--limit N]

  --state STATE  only runs in this state: ${states.join(", ")}
  --limit N      at most N runs (default 50, at most 200)
${globalHelp}`,
  options: { state: { type: "string" }, limit: { type: "string" } },
  maxPositionals: 0,
  async run(context) {
    const state = stringValue(context, "state");
    if (state !== undefined && !states.includes(state as RunState)) throw usageError(`--state must be one of ${states.join(", ")}`, "ls");
    const limit = stringValue(context, "limit");
    if (limit !== undefined && !/^\d+$/.test(limit)) throw usageError(`--limit takes a number, not ${limit}`, "ls");
    const { runs, nextCursor } = await (await context.client()).listRuns({ ...(state ? { state: state as RunState } : {}), ...(limit ? { limit: Number(limit) } : {}) });
    if (context.json) {
      printJson({ runs, nextCursor });
      return 0;
    }
    if (runs.length === 0) {
      process.stderr.write(state ? `No ${state} runs.\n` : "No runs yet: start one with bailey run --image IMAGE -- COMMAND\n");
      return 0;
    }
    printTable(
      ["ID", "NAME", "STATE", "EXIT", "HOST", "IMAGE", "CREATED"],
      runs.map((run) => [run.id, run.name ?? "-", run.state, run.exitCode === null ? "-" : String(run.exitCode), run.host?.name ?? "-", run.image ?? "-", ago(run.createdAt)]),
    );
    return 0;
  },
};
