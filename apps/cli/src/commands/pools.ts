import { type Command, type CommandContext, globalHelp, stringValue } from "../command";
import { ago, printJson, printTable, usageError } from "../output";

const help = `Usage: bailey pools ls [--host HOST]
       bailey pools create --host HOST --image IMAGE --size N [--sandbox gvisor|none] [--cpus N] [--memory-bytes N] [--pids N]
       bailey pools rm POOL

Warm pools: containers of an image a host keeps created and started ahead, so that a run of
that image, sandbox and resources (and no build, workspace, dependencies, strict egress, grants
or secret files) starts in one of them at once. Admins create and remove them; the scheduler
pushes a change to the host within a tick.

  --host HOST        the host's id or name (bailey hosts lists them)
  --image IMAGE      the image, exactly as runs name it
  --size N           idle containers to keep ready, 0 to 50
  --sandbox S        gvisor (default) or none, as the runs ask for
  --cpus N, --memory-bytes N, --pids N
                     the resources the runs ask for (a run must ask for the same to match)
${globalHelp}`;

async function hostIdOf(context: CommandContext, host: string): Promise<string> {
  const hosts = await (await context.client()).listHosts();
  const found = hosts.find((candidate) => candidate.id === host || candidate.name === host);
  if (!found) throw usageError(`The team has no host "${host}"; bailey hosts lists them (${hosts.map((candidate) => candidate.name).join(", ") || "none yet"}).`, "pools");
  return found.id;
}

function numberFlag(context: CommandContext, name: string, { integer }: { integer: boolean }): number | undefined {
  const text = stringValue(context, name);
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isFinite(value) || (integer && !Number.isInteger(value))) throw usageError(`--${name} takes ${integer ? "a whole number" : "a number"} (got ${text}).`, "pools");
  return value;
}

export const pools: Command = {
  name: "pools",
  summary: "List, create and remove warm pools (containers started ahead of runs)",
  help,
  options: {
    host: { type: "string" },
    image: { type: "string" },
    size: { type: "string" },
    sandbox: { type: "string" },
    cpus: { type: "string" },
    "memory-bytes": { type: "string" },
    pids: { type: "string" },
  },
  maxPositionals: 2,
  async run(context) {
    const [action, poolId] = context.positionals;
    if (action === "ls" || action === undefined) {
      const host = stringValue(context, "host");
      const list = await (await context.client()).listPools(host ? await hostIdOf(context, host) : undefined);
      if (context.json) {
        printJson({ pools: list });
        return 0;
      }
      if (!list.length) {
        process.stderr.write("No warm pools: an admin adds one with bailey pools create (or on the Hosts page).\n");
        return 0;
      }
      printTable(
        ["ID", "HOST", "IMAGE", "SANDBOX", "SIZE", "IDLE", "STARTING", "CLAIMED", "REPORTED", "LAST ERROR"],
        list.map((pool) => [
          pool.id,
          pool.hostName,
          pool.image,
          pool.sandbox,
          String(pool.size),
          pool.status ? String(pool.status.idle) : "-",
          pool.status ? String(pool.status.starting) : "-",
          pool.status ? String(pool.status.claimedTotal) : "-",
          ago(pool.statusAt),
          pool.status?.lastError ?? "",
        ]),
      );
      return 0;
    }
    if (action === "create") {
      if (poolId !== undefined) throw usageError(`Unexpected argument: ${poolId}`, "pools");
      const host = stringValue(context, "host");
      const image = stringValue(context, "image");
      const size = numberFlag(context, "size", { integer: true });
      if (!host || !image || size === undefined) throw usageError("pools create needs --host, --image and --size, e.g. bailey pools create --host h1 --image node:22 --size 2", "pools");
      const sandbox = stringValue(context, "sandbox") ?? "gvisor";
      if (sandbox !== "gvisor" && sandbox !== "none") throw usageError(`--sandbox is gvisor or none (got ${sandbox}).`, "pools");
      const cpus = numberFlag(context, "cpus", { integer: false });
      const memoryBytes = numberFlag(context, "memory-bytes", { integer: true });
      const pids = numberFlag(context, "pids", { integer: true });
      const resources = { ...(cpus === undefined ? {} : { cpus }), ...(memoryBytes === undefined ? {} : { memoryBytes }), ...(pids === undefined ? {} : { pids }) };
      const pool = await (await context.client()).createPool({ hostId: await hostIdOf(context, host), image, size, sandbox, ...(Object.keys(resources).length ? { resources } : {}) });
      if (context.json) printJson({ pool });
      else process.stdout.write(`${pool.id}: ${pool.size} × ${pool.image} (${pool.sandbox}) on ${pool.hostName}; the host fills it within a tick\n`);
      return 0;
    }
    if (action === "rm") {
      if (context.positionals.length > 2) throw usageError(`Unexpected argument: ${context.positionals[2]}`, "pools");
      if (!poolId) throw usageError("pools rm needs the pool's id (bailey pools ls lists them).", "pools");
      const pool = await (await context.client()).deletePool(poolId);
      if (context.json) printJson({ pool });
      else process.stdout.write(`${pool.id} removed; ${pool.hostName} drains its idle containers within a tick\n`);
      return 0;
    }
    throw usageError(`pools takes ls, create or rm (got ${action}).`, "pools");
  },
};
