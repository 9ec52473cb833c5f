import { type Command, globalHelp } from "../command";
import { ago, printJson, printTable } from "../output";

export const hosts: Command = {
  name: "hosts",
  summary: "List the team's hosts and how busy they are",
  help: `Usage: bailey hosts
${globalHelp}`,
  options: {},
  maxPositionals: 0,
  async run(context) {
    const list = await (await context.client()).listHosts();
    if (context.json) {
      printJson({ hosts: list });
      return 0;
    }
    if (list.length === 0) {
      process.stderr.write("No hosts yet: add one on the Hosts page (or POST /api/v1/hosts).\n");
      return 0;
    }
    printTable(
      ["ID", "NAME", "STATUS", "RUNS", "RUNTIME", "ADDRESS", "LAST SEEN"],
      list.map((host) => [
        host.id,
        host.name,
        host.statusReason && host.status !== "online" ? `${host.status} (${host.statusReason})` : host.status,
        `${host.activeRuns}/${host.capacityRuns}`,
        [host.runtimeType ?? "-", host.hasRunsc ? "gvisor" : ""].filter(Boolean).join("+"),
        `${host.sshUser}@${host.address}:${host.sshPort}`,
        ago(host.lastSeenAt),
      ]),
    );
    return 0;
  },
};
